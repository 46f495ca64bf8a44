#!/usr/bin/env python3
# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Benchmark of the review engine: automatic comparison, batch export and
batch import.

    python scripts/bench/review.py [--cases 10000] [--decisions 10000]
        [--seed 2019]

It makes a fresh database (SQLite in a temporary folder, or PostgreSQL
when TRYTOND_DATABASE_URI is set) with laisui_review, generates --cases
applicants with the demo data generator (their facts are partly backed
by external records, partly declared only), computes their statements and
opens one points verification case each (~15 indicator lines). Then it
times

(a) the automatic comparison stage on all cases: every line compared
    with the external data, matched lines confirmed, the rest fanned out
    to department tasks (``comparison_cases_per_second``);
(b) the export of the department with the most open lines to XLSX
    (``export_seconds``);
(c) the import and application of a sheet of --decisions open lines with
    a decision on each row (``import_apply_seconds``), which closes
    department tasks and moves cases on;

and, as the reference, openpyxl alone writing and reading a sheet of the
same size (``openpyxl_write_seconds``, ``openpyxl_read_seconds``).
The last line on stdout is JSON. Runs under python -O (re-executes).
"""
import argparse
import io
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import demo_data  # noqa: E402
from bench.common import log, run_on_fresh_database  # noqa: E402

def open_cases(pool, applicant_ids):
    "One submitted points verification case per applicant, at pre-review"
    Request = pool.get('laisui.review.points_request')
    Case = pool.get('laisui.review.case')
    cases = []
    for start in range(0, len(applicant_ids), 1000):
        requests = Request.create([{'applicant': a, 'state': 'review'}
                for a in applicant_ids[start:start + 1000]])
        cases.extend(Request.start_review(requests))
    return Case.browse(cases)


def timed(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - start


def fill_decisions(data, limit):
    "The sheet with 确认 in the decision column of its first rows"
    import openpyxl
    from trytond.modules.laisui_review.batch import DECISION
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    sheet = workbook.active
    filled = 0
    for row in sheet.iter_rows(min_row=2):
        if filled >= limit:
            break
        row[DECISION].value = '确认'
        filled += 1
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue(), filled


def openpyxl_reference(rows, columns):
    "Seconds openpyxl alone takes to write and read rows × columns"
    import openpyxl
    start = time.perf_counter()
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet('sheet')
    for n in range(rows + 1):
        sheet.append([f'值{n}-{c}' if c % 3 else n for c in range(columns)])
    output = io.BytesIO()
    workbook.save(output)
    write_seconds = time.perf_counter() - start
    start = time.perf_counter()
    workbook = openpyxl.load_workbook(io.BytesIO(output.getvalue()),
        read_only=True)
    count = sum(1 for _ in workbook.active.iter_rows(values_only=True))
    read_seconds = time.perf_counter() - start
    assert count == rows + 1
    return write_seconds, read_seconds


def run(database, args):
    from trytond import backend
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    rng = random.Random(args.seed)
    with Transaction().start(database, 0,
            context={'language': 'zh_CN'}) as transaction:
        pool = Pool(database)
        pool.init()
        from trytond.modules.laisui_review.batch import (
            HEADERS, OPEN_LINES as PENDING, apply_sheet, export_lines)
        Statement = pool.get('laisui.points.statement')
        Line = pool.get('laisui.review.line')
        Case = pool.get('laisui.review.case')
        Task = pool.get('laisui.review.task')
        Workflow = pool.get('laisui.review.workflow')

        start = time.perf_counter()
        ids = demo_data.generate(pool, args.cases, rng, demo=False)
        demo_data.set_reference_date(pool)
        Statement.compute(ids)
        cases = open_cases(pool, ids)
        lines = Line.search_count([('case', 'in', [c.id for c in cases])])
        log(f'{len(cases)} cases with {lines} lines ready in '
            f'{time.perf_counter() - start:.1f}s')
        if backend.name == 'postgresql':
            transaction.connection.cursor().execute('ANALYZE')

        # (a) The automatic comparison stage, as the workflow enters it.
        workflow = Workflow.active_for('laisui.review.points_request')
        comparison, = [s for s in workflow.stages
            if s.kind == 'automatic']
        start = time.perf_counter()
        for offset in range(0, len(cases), 1000):
            Case._run([(comparison, cases[offset:offset + 1000])])
        comparison_seconds = time.perf_counter() - start
        counts = {c: Line.search_count([('comparison', '=', c)])
            for c in ['matched', 'mismatched', 'no_data', 'not_compared']}
        tasks = Task.search_count([('state', '=', 'open')])
        log(f'(a) comparison of {len(cases)} cases: '
            f'{comparison_seconds:.2f}s = '
            f'{len(cases) / comparison_seconds:.0f} cases/s; {counts}; '
            f'{tasks} department tasks')

        # (b) Export of the department with the most open lines.
        per_department = {}
        for line in Line.search(PENDING):
            per_department[line.department] = per_department.get(
                line.department, 0) + 1
        department = max(per_department, key=per_department.get)
        (data, exported), export_seconds = timed(export_lines,
            PENDING + [('department', '=', department.id)])
        log(f'(b) export of {exported} open lines of {department.name}: '
            f'{export_seconds:.2f}s')

        # (c) Import and apply a sheet of --decisions open lines, one
        # decision per row (the openpyxl reference reads as many rows).
        first = Line.search(PENDING, order=[('id', 'ASC')],
            limit=args.decisions)
        (sheet, _), _ = timed(export_lines,
            [('id', 'in', [l.id for l in first])])
        sheet, decisions = fill_decisions(sheet, args.decisions)
        plan, import_seconds = timed(apply_sheet, sheet)
        assert len(plan.apply) == decisions, (len(plan.apply), decisions)
        left = Line.search_count(PENDING)
        moved = Case.search_count([('stage.code', '=', 'district_review')])
        log(f'(c) import and apply {decisions} decisions: '
            f'{import_seconds:.2f}s; {left} lines left open, {moved} cases '
            f'moved on to district review')
        transaction.rollback()

    write_seconds, read_seconds = openpyxl_reference(
        decisions, len(HEADERS))
    log(f'openpyxl alone, {decisions} rows: write {write_seconds:.2f}s, '
        f'read {read_seconds:.2f}s')
    return {
        'cases': len(cases),
        'comparison_cases_per_second': round(
            len(cases) / comparison_seconds, 1),
        'export_seconds': round(export_seconds, 3),
        'import_apply_seconds': round(import_seconds, 3),
        'openpyxl_write_seconds': round(write_seconds, 3),
        'openpyxl_read_seconds': round(read_seconds, 3),
        'backend': backend.name,
        'lines': lines,
        'comparison': counts,
        'department_tasks': tasks,
        'exported_lines': exported,
        'decisions': decisions,
        'cases_moved_on': moved,
        'seed': args.seed,
        }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--cases', type=int, default=10000)
    parser.add_argument('--decisions', type=int, default=10000)
    parser.add_argument('--seed', type=int, default=2019)
    args = parser.parse_args()
    if args.cases < 1 or args.decisions < 1:
        parser.error('--cases and --decisions must be positive')

    run_on_fresh_database('laisui_review', 'bench_review', run, args)


if __name__ == '__main__':
    demo_data.ensure_optimized()
    main()
