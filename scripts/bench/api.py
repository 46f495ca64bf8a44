#!/usr/bin/env python3
# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Benchmark of the standard data API (/api/v1) against Tryton's plain
REST protocol.

    python scripts/bench/api.py [--applicants 50000] [--checks 10000]
        [--page 500] [--seed 2019]

It makes a fresh database (SQLite in a temporary folder, or PostgreSQL
when TRYTOND_DATABASE_URI is set) with laisui_api, generates --applicants
applicants with the demo data generator, computes their statements and
confirms a few integrity records, then serves it with gunicorn (one
worker, one thread, python -O) on 127.0.0.1 and, as an outside client
over HTTP with keep-alive:

(a) reads every statement page by page (--page a page) through
    GET /api/v1/statements, the client holding a points:read token, and
    the same fields (masked name and ID number, total, dates, rule set,
    each line's indicator, category, points, source) through
    /rest/model/laisui.points.statement as a user of the same groups
    with a REST key: ``statements_per_second`` and ``ratio_to_rest``
    (API seconds / REST seconds);
(b) asks --checks integrity questions (ID number, service) through
    POST /api/v1/integrity-checks, --page a request, and reads the same
    blacklist entries (by applicant id, in force today; REST_IDS a GET)
    through REST: ``checks_per_second`` and ``checks_ratio_to_rest``. The
    REST side has the applicants' ids and reads no ID number (no REST user
    may search by it): it does less than the API's lookup.

Every API call also counts against the rate limit and writes its audit
row: they are part of what is measured. The last line on stdout is JSON.
Runs under python -O (re-executes).
"""
import argparse
import base64
import json
import os
import random
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import demo_data  # noqa: E402
from bench.common import log, run_on_fresh_database  # noqa: E402

# Applicant ids a REST GET carries: its domain is in the URL, which
# gunicorn limits to 4 KiB.
REST_IDS = 150
STATEMENT_FIELDS = ['applicant.name', 'applicant.id_number_masked',
    'total', 'reference_date', 'computed_at', 'rule_set.rec_name',
    'lines.indicator.code', 'lines.indicator.name', 'lines.category',
    'lines.points', 'lines.source']


def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def prepare(database, args):
    "The data, an API client and a REST key: (client id, secret, key, ids)"
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    rng = random.Random(args.seed)
    with Transaction().start(database, 0):
        Pool(database).init()
    from trytond.modules.laisui_base.tests.tools import committed
    # The database's secret first: making it locks its table, which the
    # transaction below could not once it has done work.
    committed(database, lambda: Pool().get('laisui.secret').get_key())
    with Transaction().start(database, 0,
            context={'language': 'zh_CN'}) as transaction:
        pool = Pool(database)
        from trytond.modules.laisui_api.tests.tools import make_client
        from trytond.modules.laisui_base.tests.tools import staff
        Statement = pool.get('laisui.points.statement')
        Application = pool.get('res.user.application')
        Applicant = pool.get('laisui.applicant')
        Data = pool.get('ir.model.data')
        User = pool.get('res.user')
        start = time.perf_counter()
        ids = demo_data.generate(pool, args.applicants, rng, demo=False)
        demo_data.set_reference_date(pool)
        Statement.compute(ids)
        demo_data.create_integrity(pool, rng, ids)
        client_id, secret = make_client("基准测试",
            scopes=['points:read', 'integrity:check'], rate_limit=10 ** 9)
        # The REST reference reads as a user of the same groups (and,
        # for the blacklist, the district reviewers').
        user = staff('bench_rest', 'group_district_reviewer')
        User.write([user], {'groups': [('add', [
                            Data.get_id('laisui_api', 'group_api_points')])]})
        key = secrets.token_urlsafe(32)
        Application.create([{'user': user.id, 'application': 'rest',
                    'key': key, 'state': 'validated'}])
        questions = [(a.id, a.id_number) for a in Applicant.browse(
                rng.choices(ids, k=args.checks))]
        transaction.commit()
        log(f'{len(ids)} applicants ready in '
            f'{time.perf_counter() - start:.1f}s')
        if transaction.database.name != 'sqlite':
            transaction.connection.cursor().execute('ANALYZE')
            transaction.commit()
    return client_id, secret, key, questions


def serve(config, port):
    env = dict(os.environ, TRYTOND_CONFIG=str(config), PYTHONOPTIMIZE='1')
    for name in ['TRYTOND_DATABASE_URI', 'TRYTOND_DATABASE__PATH']:
        env.pop(name, None)
    gunicorn = Path(sys.executable).with_name('gunicorn')
    return subprocess.Popen([str(gunicorn), '-w', '1', '--threads', '1',
            '-b', f'127.0.0.1:{port}', '--log-level', 'warning',
            'trytond.application:app'], env=env)


def wait_for(url, process):
    for _ in range(600):
        if process.poll() is not None:
            raise SystemExit('gunicorn stopped')
        try:
            if requests.get(url, timeout=5).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.5)
    raise SystemExit(f'{url} did not answer')


def timed(function):
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def read_api(http, base, token, page):
    headers = {'Authorization': f'Bearer {token}'}
    url, count = f'{base}/api/v1/statements?limit={page}', 0
    while url:
        response = http.get(url, headers=headers)
        response.raise_for_status()
        body = response.json()
        count += len(body['items'])
        url = body['next']
    return count


def read_rest(http, base, key, page):
    headers = {'Authorization': f'bearer {key}'}
    params = [('f', f) for f in STATEMENT_FIELDS] + [('s', str(page))]
    order = base64.urlsafe_b64encode(json.dumps([['id', 'ASC']]).encode())
    count, offset = 0, 0
    while True:
        response = http.get(f'{base}/rest/model/laisui.points.statement',
            params=params + [('p', str(offset)), ('o', order.decode())],
            headers=headers)
        response.raise_for_status()
        rows = response.json()
        count += len(rows)
        offset += len(rows)
        if len(rows) < page:
            return count


def check_api(http, base, token, questions, page):
    headers = {'Authorization': f'Bearer {token}',
        'Content-Type': 'application/json'}
    answered = barred = 0
    for start in range(0, len(questions), page):
        body = {'checks': [{'id_number': n, 'service': 'admission'}
                for _, n in questions[start:start + page]]}
        response = http.post(f'{base}/api/v1/integrity-checks',
            data=json.dumps(body), headers=dict(headers, **{
                    'Idempotency-Key': f'bench-{start}'}))
        response.raise_for_status()
        results = response.json()['results']
        answered += len(results)
        barred += sum(not r['allowed'] for r in results)
    return answered, barred


def check_rest(http, base, key, questions, today):
    "The same entries by applicant id, REST_IDS ids a GET (URL length)"
    headers = {'Authorization': f'bearer {key}'}
    day = {'__class__': 'date', 'year': today.year, 'month': today.month,
        'day': today.day}
    answered = 0
    for start in range(0, len(questions), REST_IDS):
        ids = [i for i, _ in questions[start:start + REST_IDS]]
        domain = [['applicant', 'in', ids], ['state', '!=', 'lifted'],
            ['start_date', '<=', day], ['end_date', '>=', day]]
        response = http.get(f'{base}/rest/model/laisui.integrity.blacklist',
            params=[('f', 'applicant'), ('f', 'kind'), ('f', 'end_date'),
                ('d', base64.urlsafe_b64encode(
                        json.dumps(domain).encode()).decode())],
            headers=headers)
        response.raise_for_status()
        response.json()
        answered += len(ids)
    return answered


def run(database, args):
    import datetime as dt

    from trytond import backend

    client_id, secret, key, questions = prepare(database, args)
    port = _free_port()
    process = serve(args.config, port)
    try:
        root = f'http://127.0.0.1:{port}'
        base = f'{root}/{database}'
        wait_for(f'{base}/api/v1/openapi.json', process)
        http = requests.Session()
        response = http.post(f'{base}/api/v1/token',
            auth=(client_id, secret),
            data={'grant_type': 'client_credentials'})
        response.raise_for_status()
        token = response.json()['access_token']
        # The worker's pool and caches warm before timing.
        http.get(f'{base}/api/v1/statements?limit=1',
            headers={'Authorization': f'Bearer {token}'}).raise_for_status()

        api_seconds, api_count = timed(
            lambda: read_api(http, base, token, args.page))
        rest_seconds, rest_count = timed(
            lambda: read_rest(http, base, key, args.page))
        log(f'(a) {api_count} statements: API {api_seconds:.2f}s, '
            f'REST {rest_seconds:.2f}s ({rest_count})')
        today = dt.date.today()
        check_seconds, (checked, barred) = timed(
            lambda: check_api(http, base, token, questions, args.page))
        rest_check_seconds, rest_checked = timed(
            lambda: check_rest(http, base, key, questions, today))
        log(f'(b) {checked} checks ({barred} barred): API '
            f'{check_seconds:.2f}s, REST {rest_check_seconds:.2f}s')
    finally:
        process.terminate()
        process.wait(timeout=30)
    return {
        'applicants': args.applicants,
        'statements': api_count,
        'statements_per_second': round(api_count / api_seconds, 1),
        'rest_statements_per_second': round(rest_count / rest_seconds, 1),
        'ratio_to_rest': round(api_seconds / rest_seconds, 2),
        'checks': checked,
        'checks_barred': barred,
        'checks_per_second': round(checked / check_seconds, 1),
        'rest_checks_per_second': round(
            rest_checked / rest_check_seconds, 1),
        'checks_ratio_to_rest': round(
            check_seconds / rest_check_seconds, 2),
        'page': args.page,
        'backend': backend.name,
        'seed': args.seed,
        }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--applicants', type=int, default=50000)
    parser.add_argument('--checks', type=int, default=10000)
    parser.add_argument('--page', type=int, default=500)
    parser.add_argument('--seed', type=int, default=2019)
    args = parser.parse_args()
    run_on_fresh_database('laisui_api', 'bench_api', run, args)


if __name__ == '__main__':
    demo_data.ensure_optimized()
    main()
