#!/usr/bin/env python3
# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Benchmark of the points statements: batch SQL path vs naive ORM path.

    python scripts/bench/points.py [--applicants 50000] [--naive-sample 500]
        [--seed 2019] [-c CONFIG -d DATABASE]

Without -d it makes a fresh database and removes it at the end: SQLite in a
temporary folder, or PostgreSQL (a new ``bench_points_<pid>`` database) when
TRYTOND_DATABASE_URI is set, e.g.
``TRYTOND_DATABASE_URI=postgresql://tryton:tryton@127.0.0.1:5432/``.  The
role must be allowed to create databases.  With -c/-d it uses that
database (laisui_points activated) and rolls everything back.

Steps: generate N applicants with the demo data generator
(scripts/demo_data.py), compute their statements once with the batch path
(``first_seconds``: creates the statements), then time

(a) ``Statement.compute(all ids, date)`` on the N applicants one year
    later (2020-04-30, still rule set GZ-2018), so that every statement
    changes as in the yearly recomputation (``seconds``, ``per_second``);
    then the same again, when nothing changes (``unchanged_per_second``:
    the batch path writes only the lines that changed);
(b) ``Statement.compute_one(applicant, date)`` one applicant after the
    other for --naive-sample random applicants (``naive_per_second``).

Finally a fresh batch computation of the sample must give the same headers
and lines as the naive loop did, else the exit code is 1.  The first
reference date is 2019-04-30 (rule set GZ-2018).  The last line on stdout
is JSON.
Runs under python -O (re-executes itself).
"""
import argparse
import json
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import demo_data  # noqa: E402
from bench.common import FreshDatabase, log  # noqa: E402


def snapshot(pool, applicant_ids):
    "The stored statements of the applicants as comparable plain values"
    from trytond.tools import reduce_ids
    from trytond.transaction import Transaction
    Statement = pool.get('laisui.points.statement')
    Line = pool.get('laisui.points.statement.line')
    statement = Statement.__table__()
    line = Line.__table__()
    cursor = Transaction().connection.cursor()
    headers, lines = {}, {}
    cursor.execute(*statement.select(
            statement.applicant, statement.total, statement.points_band,
            where=reduce_ids(statement.applicant, applicant_ids)))
    for applicant, total, band in cursor:
        headers[applicant] = (_decimal(total), band)
    cursor.execute(*line.join(statement,
            condition=line.statement == statement.id).select(
            statement.applicant, line.indicator, line.points, line.computed,
            line.cap_applied, line.adjusted, line.source, line.facts_used,
            where=reduce_ids(statement.applicant, applicant_ids)))
    for (applicant, indicator, points, computed, capped, adjusted, source,
            facts_used) in cursor:
        key = (applicant, indicator)
        if key in lines:
            raise AssertionError(f'two lines for {key}')
        lines[key] = (_decimal(points), _decimal(computed), bool(capped),
            bool(adjusted), source, facts_used)
    return headers, lines


def _decimal(value):
    return None if value is None else Decimal(str(value)).quantize(
        Decimal('0.01'))


def compare(naive, batch):
    "Differences between two snapshots, as readable strings"
    differences = []
    for name, left, right in [
            ('statement', naive[0], batch[0]), ('line', naive[1], batch[1])]:
        for key in sorted(set(left) | set(right)):
            if left.get(key) != right.get(key):
                differences.append(f'{name} {key}: naive={left.get(key)} '
                    f'batch={right.get(key)}')
    return differences


def run(database, args):
    from trytond import backend
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    date = demo_data.REFERENCE_DATE
    rng = random.Random(args.seed)
    result = {}
    with Transaction().start(database, 0,
            context={'language': 'zh_CN'}) as transaction:
        pool = Pool(database)
        pool.init()
        Applicant = pool.get('laisui.applicant')
        Fact = pool.get('laisui.fact')
        RuleSet = pool.get('laisui.points.rule_set')
        Statement = pool.get('laisui.points.statement')
        rule_set = RuleSet.in_force(date)
        if not rule_set:
            raise SystemExit(f'no rule set in force on {date}')
        indicators = len(rule_set.indicators)
        rule_set_version = rule_set.version

        start = time.perf_counter()
        facts_before = Fact.search_count([])
        ids = demo_data.generate(pool, args.applicants, rng, demo=False,
            chunk=args.chunk)
        facts = Fact.search_count([]) - facts_before
        generate_seconds = time.perf_counter() - start
        log(f'generated {len(ids)} applicants, {facts} facts in '
            f'{generate_seconds:.1f}s')

        start = time.perf_counter()
        Statement.compute(ids, date)
        first_seconds = time.perf_counter() - start
        log(f'batch, first computation (creates the statements): '
            f'{first_seconds:.2f}s')

        # Fresh tables have no planner statistics yet: a production
        # database has them (autovacuum), so gather them before timing.
        if backend.name == 'postgresql':
            transaction.connection.cursor().execute('ANALYZE')

        # (a) batch path over all N, one year later: every statement
        # changes (age, permit and insurance years), the yearly recompute.
        date = later = date.replace(year=date.year + 1)
        start = time.perf_counter()
        count = Statement.compute(ids, later)
        seconds = time.perf_counter() - start
        assert count == len(ids), (count, len(ids))
        log(f'(a) batch recomputation of {len(ids)} statements at {later}: '
            f'{seconds:.2f}s = {len(ids) / seconds:.0f}/s')
        # (a') the same again: nothing changed, only headers are written.
        start = time.perf_counter()
        Statement.compute(ids, later)
        unchanged_seconds = time.perf_counter() - start
        log(f"(a') unchanged recomputation: {unchanged_seconds:.2f}s = "
            f'{len(ids) / unchanged_seconds:.0f}/s')

        # (b) naive ORM path, one applicant after the other
        sample = sorted(rng.sample(ids, min(args.naive_sample, len(ids))))
        durations = []
        for applicant_id in sample:
            start = time.perf_counter()
            Statement.compute_one(Applicant(applicant_id), date)
            durations.append(time.perf_counter() - start)
        naive_seconds = sum(durations)
        log(f'(b) naive compute_one on {len(sample)} applicants: '
            f'{naive_seconds:.2f}s = {len(sample) / naive_seconds:.1f}/s '
            f'(median {statistics.median(durations) * 1000:.1f} ms, '
            f'max {max(durations) * 1000:.1f} ms)')

        # Both paths must give the same statements.
        naive = snapshot(pool, sample)
        Statement.compute(sample, date)
        batch = snapshot(pool, sample)
        differences = compare(naive, batch)
        if len(naive[0]) != len(sample):
            differences.append(
                f'{len(sample) - len(naive[0])} statements missing')
        for difference in differences[:20]:
            print(difference, file=sys.stderr)
        log(f'naive vs batch on the sample: {len(naive[0])} statements, '
            f'{len(naive[1])} lines, {len(differences)} differences')
        transaction.rollback()

    per_second = len(ids) / seconds
    naive_per_second = len(sample) / naive_seconds
    result = {
        'applicants': len(ids),
        'indicators': indicators,
        'seconds': round(seconds, 3),
        'per_second': round(per_second, 1),
        'naive_per_second': round(naive_per_second, 2),
        'ratio': round(per_second / naive_per_second, 1),
        'backend': backend.name,
        'agree': not differences,
        'facts': facts,
        'first_seconds': round(first_seconds, 3),
        'unchanged_per_second': round(len(ids) / unchanged_seconds, 1),
        'naive_sample': len(sample),
        'naive_seconds': round(naive_seconds, 3),
        'naive_median_ms': round(statistics.median(durations) * 1000, 2),
        'generate_seconds': round(generate_seconds, 1),
        'seed': args.seed,
        'reference_date': date.isoformat(),
        'rule_set': rule_set_version,
        }
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--applicants', type=int, default=50000)
    parser.add_argument('--naive-sample', type=int, default=500)
    parser.add_argument('--seed', type=int, default=2019)
    parser.add_argument('--chunk', type=int, default=5000,
        help="applicants created per create() call (default 5000)")
    parser.add_argument('-c', '--config', dest='config',
        default=os.environ.get('TRYTOND_CONFIG'))
    parser.add_argument('-d', '--database', dest='database')
    args = parser.parse_args()
    if args.applicants < 1 or args.naive_sample < 1:
        parser.error('--applicants and --naive-sample must be positive')

    from trytond import config
    fresh = None
    if args.database:
        if args.config:
            config.update_etc(args.config)
        database = args.database
    else:
        fresh = FreshDatabase(os.environ.get('TRYTOND_DATABASE_URI'))
        fresh.__enter__()
        config.update_etc(str(fresh.config))
        database = fresh.name
    try:
        result = run(database, args)
    finally:
        if fresh:
            fresh.__exit__(None, None, None)
    print(json.dumps(result, ensure_ascii=False))
    sys.exit(0 if result['agree'] else 1)


if __name__ == '__main__':
    demo_data.ensure_optimized()
    main()
