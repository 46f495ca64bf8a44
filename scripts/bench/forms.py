#!/usr/bin/env python3
# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Benchmark of the data form engine: server validation of the answers to
a 12-field form (laisui_base tests/forms.py HOUSEHOLD: texts, an ID number,
a phone, bounded dates and numbers, a choice, a chain of conditions, a
Yuexiu address and a table of rows).

    python scripts/bench/forms.py [--answers 20000]

A fresh database (SQLite, or PostgreSQL when TRYTOND_DATABASE_URI is set)
holds the published form; ``Form.validate_answers`` is then timed on valid
answers (``validate_per_second``) and on answers with three wrong fields
(``refuse_per_second``). Validation makes no query: the backend does not
matter but for the form's creation. The last line on stdout is JSON.
Runs under python -O (re-executes itself).
"""
import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import demo_data  # noqa: E402
from bench.common import FreshDatabase, log  # noqa: E402


def run(database, args):
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    with Transaction().start(database, 0, context={'language': 'zh_CN'}):
        pool = Pool(database)
        pool.init()
        from trytond.modules.laisui_base.exceptions import FormAnswersError
        from trytond.modules.laisui_base.tests.forms import (
            HOUSEHOLD, household_answers, make_form)
        form = make_form('bench_household', HOUSEHOLD)
        today = dt.date(2026, 7, 1)
        good = household_answers()
        bad = household_answers(household=11, phone='1380013800',
            spouse_employer=None)
        form.validate_answers(good, today=today)

        start = time.perf_counter()
        for _ in range(args.answers):
            form.validate_answers(good, today=today)
        valid_seconds = time.perf_counter() - start

        start = time.perf_counter()
        for _ in range(args.answers):
            try:
                form.validate_answers(bad, today=today)
            except FormAnswersError:
                pass
        refuse_seconds = time.perf_counter() - start
    log(f'{args.answers} answers validated in {valid_seconds:.2f}s, '
        f'refused in {refuse_seconds:.2f}s')
    return {
        'fields': len(HOUSEHOLD),
        'answers': args.answers,
        'validate_per_second': round(args.answers / valid_seconds),
        'refuse_per_second': round(args.answers / refuse_seconds),
        }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--answers', type=int, default=20000)
    args = parser.parse_args()
    if args.answers < 1:
        parser.error('--answers must be positive')

    from trytond import config
    fresh = FreshDatabase(os.environ.get('TRYTOND_DATABASE_URI'),
        module='laisui_base', prefix='bench_forms')
    fresh.__enter__()
    try:
        config.update_etc(str(fresh.config))
        result = run(fresh.name, args)
    finally:
        fresh.__exit__(None, None, None)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == '__main__':
    demo_data.ensure_optimized()
    main()
