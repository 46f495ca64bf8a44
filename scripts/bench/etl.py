#!/usr/bin/env python3
# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Benchmark of the ETL pipeline against the physical reference (COPY).

    python scripts/bench/etl.py [--rows 200000]

Makes a fresh database with laisui_connectors (SQLite in a temporary
folder, or PostgreSQL when TRYTOND_DATABASE_URI is set, e.g.
``postgresql://tryton:tryton@127.0.0.1:5432/``) and removes it at the end.

(a) ``csv``: N synthetic property records (housing bureau file, Chinese
    headers, dates as offices type them) loaded from a CSV file through
    the whole pipeline: decode, clean, validate, stage, upsert, link,
    commit.
(a') ``reload``: the same rows in the reverse order, as another file: all
    compared with the records loaded by (a), none changed.
(b) ``http``: N rental registrations synchronised from a fake rental
    system on 127.0.0.1 (scripts/fake_sources.py in its own process;
    pages of 5,000) through the HTTP adapter and the same pipeline,
    commit included.
(c) ``copy`` (PostgreSQL only): the same N cleaned rows copied with COPY
    into a bare table with the record's columns: the physical floor. Also
    into a table like the records' with its indexes (unique natural key,
    ID number, primary key): the floor of any load that keeps them. Best
    of three each.

The ratio is COPY rate / CSV pipeline rate. The last line on stdout is
JSON. Runs under python -O (re-executes itself).
"""
import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import demo_data  # noqa: E402
from bench.common import FreshDatabase, log  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--rows', type=int, default=200_000)
    args = parser.parse_args()
    demo_data.ensure_optimized()

    with FreshDatabase(os.environ.get('TRYTOND_DATABASE_URI'),
            module='laisui_connectors', prefix='bench_etl') as fresh:
        from trytond import config
        config.update_etc(str(fresh.config))
        from trytond.pool import Pool
        from trytond.modules.laisui_connectors.tests.tools import (
            property_rows, to_csv)

        Pool(fresh.name).init()
        result = {'rows': args.rows, 'backend': fresh.backend}

        rows = property_rows(args.rows)
        data = to_csv(rows)
        log(f'{args.rows} rows, CSV of {len(data) / 1e6:.1f} MB')

        def upload(pool, dataset):
            return pool.get('laisui.connector.run').launch(
                [dataset], 'upload', data=data, filename='bench.csv')
        seconds = timed_run(fresh.name, 'housing_property', upload,
            args.rows)
        result['csv_seconds'] = round(seconds, 2)
        result['csv_rows_per_second'] = round(args.rows / seconds)
        log(f'(a) CSV pipeline: {seconds:.1f}s, '
            f'{result["csv_rows_per_second"]} rows/s')

        # The same rows in another order (another file): every row is
        # compared with its record and none changes.
        reloaded = to_csv(list(reversed(rows)))

        def reload(pool, dataset):
            return pool.get('laisui.connector.run').launch(
                [dataset], 'upload', data=reloaded, filename='again.csv')
        seconds = timed_run(fresh.name, 'housing_property', reload,
            args.rows, unchanged=True)
        result['reload_seconds'] = round(seconds, 2)
        result['reload_rows_per_second'] = round(args.rows / seconds)
        log(f'(a\') CSV reload, nothing changed: {seconds:.1f}s, '
            f'{result["reload_rows_per_second"]} rows/s')

        # The fake rental system runs in its own process, as a real one
        # would: in this one it would take turns with the pipeline.
        with FakeProcess(args.rows) as url:
            def sync(pool, dataset):
                pool.get('laisui.connector.source').write(
                    [dataset.source], {'base_url': url, 'page_size': 5000})
                return pool.get('laisui.connector.run').launch(
                    [dataset], 'http')
            seconds = timed_run(fresh.name, 'rental_lease', sync, args.rows)
        result['http_seconds'] = round(seconds, 2)
        result['http_rows_per_second'] = round(args.rows / seconds)
        log(f'(b) HTTP pipeline: {seconds:.1f}s, '
            f'{result["http_rows_per_second"]} rows/s')

        result['copy_rows_per_second'] = None
        result['ratio_to_copy'] = None
        if fresh.backend == 'postgresql':
            bare, indexed = copy_reference(fresh.name)
            result['copy_seconds'] = round(bare, 2)
            result['copy_rows_per_second'] = round(args.rows / bare)
            result['ratio_to_copy'] = round(
                result['copy_rows_per_second']
                / result['csv_rows_per_second'], 2)
            result['copy_indexed_rows_per_second'] = round(
                args.rows / indexed)
            result['indexed_ratio_to_copy'] = round(indexed / bare, 2)
            log(f'(c) COPY: {bare:.2f}s, '
                f'{result["copy_rows_per_second"]} rows/s; into a table '
                f'with the records\' indexes {indexed:.2f}s, '
                f'{result["copy_indexed_rows_per_second"]} rows/s')
    print(json.dumps(result))


def timed_run(database, code, launch, rows, unchanged=False):
    """Seconds to process (and commit) the run launch(pool, dataset) queues
    for the dataset `code`; checks it loaded `rows` records (or found them
    all unchanged)"""
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    with Transaction().start(database, 0) as transaction:
        pool = Pool()
        dataset, = pool.get('laisui.connector.dataset').search(
            [('code', '=', code)])
        run, = launch(pool, dataset)
        transaction.commit()
    start = time.perf_counter()
    with Transaction().start(database, 0) as transaction:
        Run = Pool().get('laisui.connector.run')
        Run.process(run.id)
        transaction.commit()
        seconds = time.perf_counter() - start
        run = Run(run.id)
        assert run.state == 'done', run.error
        if unchanged:
            assert (run.inserted, run.unchanged) == (0, rows), (
                run.inserted, run.unchanged)
        else:
            assert run.inserted == rows, run.inserted
    return seconds


class FakeProcess:
    "scripts/fake_sources.py serving N leases; the context is its URL"

    def __init__(self, rows):
        self.rows = rows

    def __enter__(self):
        script = Path(__file__).resolve().parent.parent / 'fake_sources.py'
        self.process = subprocess.Popen([sys.executable, str(script),
                '--leases', str(self.rows)], stdout=subprocess.PIPE,
            text=True)
        url = self.process.stdout.readline().strip()
        if not url.startswith('http://'):
            self.process.kill()
            raise SystemExit('the fake rental system did not start')
        return url

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(10)
        return False


def copy_reference(database):
    """Seconds to COPY the loaded, cleaned rows into a bare table, and into
    a table like the records' with its indexes (best of three each)"""
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    from trytond.modules.laisui_base.bulk import bulk_insert
    from trytond.modules.laisui_connectors.pipeline import COLUMNS
    columns = ['dataset', 'key', 'digest', *COLUMNS]
    seconds = []
    with Transaction().start(database, 0) as transaction:
        Record = Pool().get('laisui.connector.record')
        cursor = transaction.connection.cursor()
        quoted = ', '.join(f'"{c}"' for c in columns)
        cursor.execute(f'SELECT {quoted} FROM "{Record._table}" '
            'WHERE dataset = (SELECT id FROM laisui_connector_dataset '
            "WHERE code = 'housing_property')")
        rows = cursor.fetchall()
        cursor.execute(f'CREATE TABLE bench_copy AS SELECT {quoted} '
            f'FROM "{Record._table}" WITH NO DATA')
        cursor.execute('CREATE TABLE bench_copy_indexed '
            f'(LIKE "{Record._table}" INCLUDING ALL)')
        transaction.commit()
        for table in ['bench_copy', 'bench_copy_indexed']:
            best = float('inf')
            for _ in range(3):
                cursor.execute(f'TRUNCATE "{table}"')
                transaction.commit()
                start = time.perf_counter()
                bulk_insert(table, columns, rows)
                transaction.commit()
                best = min(best, time.perf_counter() - start)
            seconds.append(best)
    return seconds


if __name__ == '__main__':
    main()
