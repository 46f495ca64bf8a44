#!/usr/bin/env python3
# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Benchmark of report management and of the work queue.

    python scripts/bench/reports.py [--applicants 50000] [--cases 20000]
        [--seed 2019]

It makes a fresh database (SQLite in a temporary folder, or PostgreSQL
when TRYTOND_DATABASE_URI is set) with laisui_report, generates
--applicants applicants with the demo data generator, computes their
statements and opens --cases points verification cases (at the window
clerks' pre-review, so one clerk's queue holds them all). Then, as a
district admin with access rights and record rules, it runs

(a) every seeded report through the report engine (best of 3), and the
    same aggregation as a hand-written SQL GROUP BY (the reference,
    best of 3): ``reports`` gives each one's seconds, the SQL seconds and
    ``ratio_to_sql``;
(b) a window clerk's 待我处理 queue as sao opens it: the first 80 cases
    in deadline order, their count and the list view's fields
    (``queue_seconds``).

The last line on stdout is JSON. Runs under python -O (re-executes).
"""
import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import demo_data  # noqa: E402
from bench.common import log, run_on_fresh_database  # noqa: E402
from bench.review import open_cases  # noqa: E402

# The hand-written reference of each seeded report: the same rows read,
# joined and grouped (timestamps as Guangzhou days, UTC+8), in PostgreSQL
# or SQLite. {local} is the Guangzhou time of a column; {from_} and
# {to} the period as naive UTC bounds.
REFERENCES = {
    'requests_street_month': '''
        SELECT a.street, {month_submitted}, COUNT(*)
        FROM laisui_review_points_request r
        LEFT JOIN laisui_applicant a ON a.id = r.applicant
        WHERE r.submitted_at >= %(from_)s AND r.submitted_at < %(to)s
        GROUP BY 1, 2''',
    'points_street': '''
        SELECT a.street, AVG(s.total)
        FROM laisui_points_statement s
        LEFT JOIN laisui_applicant a ON a.id = s.applicant
        GROUP BY 1''',
    'points_band': '''
        SELECT s.points_band, COUNT(*) FROM laisui_points_statement s
        GROUP BY 1''',
    'steps_overdue': '''
        SELECT s.stage, s.overdue, COUNT(*) FROM laisui_review_step s
        WHERE s.entered_at >= %(from_)s AND s.entered_at < %(to)s
        GROUP BY 1, 2''',
    'department_backlog': '''
        SELECT t.department, t.state, COUNT(*) FROM laisui_review_task t
        GROUP BY 1, 2''',
    'admission_school': '''
        SELECT r.school, r.preference, COUNT(*)
        FROM laisui_admission_run_result r
        LEFT JOIN laisui_admission_run u ON u.id = r.run
        WHERE u.state = 'published' GROUP BY 1, 2''',
    'admission_cutoff': '''
        SELECT r.school, MIN(r.score)
        FROM laisui_admission_run_result r
        LEFT JOIN laisui_admission_run u ON u.id = r.run
        WHERE u.state = 'published' GROUP BY 1''',
    'integrity_kind': '''
        SELECT r.kind, {month_reported}, COUNT(*)
        FROM laisui_integrity_record r
        WHERE r.report_date >= %(from_)s AND r.report_date < %(to)s
        GROUP BY 1, 2''',
    'sms_state': '''
        SELECT {day_created}, m.state, COUNT(*) FROM laisui_sms_message m
        WHERE m.create_date >= %(from_)s AND m.create_date < %(to)s
        GROUP BY 1, 2''',
    'service_state': '''
        SELECT a.service, a.state, COUNT(*)
        FROM laisui_service_application a GROUP BY 1, 2''',
    }


def local_trunc(backend_name, unit, column):
    if backend_name == 'postgresql':
        return f"DATE_TRUNC('{unit}', {column} + INTERVAL '8 hours')::date"
    pattern = {'day': '%Y-%m-%d', 'month': '%Y-%m-01'}[unit]
    return f"STRFTIME('{pattern}', {column}, '+8 hours')"


def reference_sql(backend_name, key):
    sql = REFERENCES[key].format(
        month_submitted=local_trunc(backend_name, 'month', 'r.submitted_at'),
        month_reported=local_trunc(backend_name, 'month', 'r.report_date'),
        day_created=local_trunc(backend_name, 'day', 'm.create_date'))
    if backend_name == 'sqlite':
        sql = sql.replace('%(from_)s', ':from_').replace('%(to)s', ':to')
    return sql


def best_of(n, function):
    best, result = None, None
    for _ in range(n):
        start = time.perf_counter()
        result = function()
        seconds = time.perf_counter() - start
        best = seconds if best is None else min(best, seconds)
    return best, result


def run(database, args):
    import datetime as dt

    from trytond import backend
    from trytond.pool import Pool
    from trytond.transaction import Transaction, check_access

    rng = random.Random(args.seed)
    with Transaction().start(database, 0,
            context={'language': 'zh_CN'}) as transaction:
        pool = Pool(database)
        pool.init()
        from trytond.modules.laisui_base import clock
        from trytond.modules.laisui_base.tests.tools import staff
        from trytond.modules.laisui_report.engine import compute
        Statement = pool.get('laisui.points.statement')
        Report = pool.get('laisui.report')
        Case = pool.get('laisui.review.case')
        Data = pool.get('ir.model.data')

        start = time.perf_counter()
        ids = demo_data.generate(pool, args.applicants, rng, demo=False)
        demo_data.set_reference_date(pool)
        Statement.compute(ids)
        cases = open_cases(pool, rng.sample(ids, args.cases))
        # Submitted now, as the portal's submit would stamp them.
        Request = pool.get('laisui.review.points_request')
        request = Request.__table__()
        transaction.connection.cursor().execute(*request.update(
                [request.submitted_at], [clock.now()]))
        admin = staff('bench_district', 'group_district_admin')
        clerk = staff('bench_clerk', 'group_window_clerk')
        transaction.commit()
        log(f'{len(ids)} applicants, {len(cases)} cases ready in '
            f'{time.perf_counter() - start:.1f}s')
        if backend.name == 'postgresql':
            transaction.connection.cursor().execute('ANALYZE')

        # (a) The seeded reports, engine and reference.
        results = {}
        cursor = transaction.connection.cursor()
        for key in REFERENCES:
            report = Report(Data.get_id('laisui_report', f'report_{key}'))
            parameters = report.period_parameters()
            date_from = parameters.date_from or dt.date(2000, 1, 1)
            date_to = parameters.date_to or clock.today()
            bounds = {'from_': clock.day_start(date_from),
                'to': clock.day_start(date_to + dt.timedelta(days=1))}
            with transaction.set_user(admin.id), check_access():
                seconds, result = best_of(3,
                    lambda: compute(report, parameters))
            sql = reference_sql(backend.name, key)

            def reference():
                cursor.execute(sql, bounds)
                return cursor.fetchall()
            sql_seconds, rows = best_of(3, reference)
            cells = len(result.cells)
            results[key] = {
                'seconds': round(seconds, 4),
                'sql_seconds': round(sql_seconds, 4),
                'ratio_to_sql': round(seconds / sql_seconds, 2)
                if sql_seconds else None,
                'cells': cells,
                'sql_groups': len(rows),
                }
            log(f'(a) {key}: {seconds:.3f}s, SQL {sql_seconds:.3f}s, '
                f'{cells} cells / {len(rows)} groups')

        # (b) The clerk's queue as sao opens it.
        tree = Case.fields_view_get(view_type='tree')
        names = [n for n in tree['fields'] if n != 'id']
        domain = [('for_me', '=', True)]
        order = [('deadline', 'ASC NULLS LAST'), ('entered_at', 'ASC'),
            ('id', 'ASC')]

        def queue():
            with transaction.set_user(clerk.id), check_access():
                page = Case.search(domain, limit=80, order=order)
                count = Case.search_count(domain)
                Case.read([c.id for c in page], names)
            transaction.cache.clear()
            return count
        queue_seconds, queued = best_of(3, queue)
        log(f'(b) the clerk\'s queue of {queued} cases: {queue_seconds:.3f}s')
        transaction.rollback()

    return {
        'applicants': len(ids),
        'cases': len(cases),
        'reports': results,
        'report_max_seconds': max(r['seconds'] for r in results.values()),
        'queue_seconds': round(queue_seconds, 4),
        'queue_cases': queued,
        'backend': backend.name,
        'seed': args.seed,
        }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--applicants', type=int, default=50000)
    parser.add_argument('--cases', type=int, default=20000)
    parser.add_argument('--seed', type=int, default=2019)
    args = parser.parse_args()
    if not 0 < args.cases <= args.applicants:
        parser.error('0 < --cases <= --applicants')
    run_on_fresh_database('laisui_report', 'bench_reports', run, args)


if __name__ == '__main__':
    demo_data.ensure_optimized()
    main()
