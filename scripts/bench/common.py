# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""What the benchmarks share: a fresh database to measure in."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path


def log(message):
    print(message, flush=True)


class FreshDatabase:
    "A new SQLite or PostgreSQL database with `module` activated, removed on exit"

    def __init__(self, uri=None, module='laisui_points', prefix='bench_points'):
        self.uri = uri or 'sqlite://'
        self.module = module
        self.backend = urllib.parse.urlsplit(self.uri).scheme
        self.name = f'{prefix}_{os.getpid()}'
        self.tmp = None
        self.created = False

    def __enter__(self):
        self.tmp = Path(tempfile.mkdtemp(prefix='laisui-bench-'))
        path = self.tmp / 'db'
        path.mkdir()
        self.config = self.tmp / 'trytond.conf'
        self.config.write_text(
            '[database]\n'
            f'uri = {self.uri}\n'
            f'path = {path}\n'
            'language = en\n', encoding='utf-8')
        try:
            if self.backend == 'sqlite':
                # trytond-admin opens only an existing file
                (path / f'{self.name}.sqlite').touch()
            elif self.backend == 'postgresql':
                with self._postgres() as conn:
                    conn.execute(f'CREATE DATABASE "{self.name}" '
                        "TEMPLATE template0 ENCODING 'UTF8'")
            else:
                raise SystemExit(f'unsupported backend {self.backend}')
            self.created = True
            self._activate()
        except BaseException:
            self.__exit__(*sys.exc_info())
            raise
        return self

    def _postgres(self):
        import psycopg
        parts = urllib.parse.urlsplit(self.uri)
        return psycopg.connect(urllib.parse.urlunsplit(
                parts._replace(path='/postgres')), autocommit=True)

    def _activate(self):
        "Initialise and activate the module like trytond-admin does"
        passfile = self.tmp / 'admin-password'
        passfile.write_text('bench-admin-password')
        env = dict(os.environ, TRYTONPASSFILE=str(passfile),
            PYTHONOPTIMIZE='1')
        for key in ['TRYTOND_CONFIG', 'TRYTOND_DATABASE__URI',
                'TRYTOND_DATABASE__PATH']:
            env.pop(key, None)
        admin = Path(sys.executable).with_name('trytond-admin')
        if not admin.exists():
            admin = shutil.which('trytond-admin')
        start = time.perf_counter()
        for args in [
                ['--all', '--email', 'bench@example.com'],
                ['-u', self.module, '--activate-dependencies'],
                ]:
            result = subprocess.run(
                [str(admin), '-c', str(self.config), '-d', self.name, *args],
                env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                text=True)
            if result.returncode:
                sys.stderr.write(result.stdout[-5000:])
                raise SystemExit(f'trytond-admin {" ".join(args)} failed')
        log(f'{self.backend} database {self.name} activated in '
            f'{time.perf_counter() - start:.1f}s')

    def __exit__(self, *exc):
        if self.created and self.backend == 'postgresql':
            try:
                from trytond import backend
                if backend.name == 'postgresql':
                    backend.Database(self.name).close()
            except Exception:
                pass
            with self._postgres() as conn:
                conn.execute(
                    f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        if self.tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)
        return False


class StatementCounter:
    "How many SQL statements trytond's cursors run inside the block"

    def __init__(self):
        self.count = 0

    def __enter__(self):
        import importlib
        from trytond import backend
        module = importlib.import_module(
            f'trytond.backend.{backend.name}.database')
        self.cursor_class = getattr(module, 'LoggingCursor', None) or getattr(
            module, 'SQLiteCursor')
        original = self.cursor_class.execute

        def execute(cursor, *args, **kwargs):
            self.count += 1
            return original(cursor, *args, **kwargs)
        self.original = original
        self.cursor_class.execute = execute
        return self

    def __exit__(self, *exc_info):
        self.cursor_class.execute = self.original


def production_validation():
    """Validate as the server does. The test helpers the benchmarks
    borrow import trytond's test module, which sets Pool.test: trytond
    then also validates every Function field it writes, reading each
    one (production skips them)."""
    import trytond.tests.test_tryton as test_tryton
    test_tryton.Pool.test = False


def run_on_fresh_database(module, prefix, run, args):
    """Print the JSON of run(database name, args) on a fresh database with
    module (SQLite, or PostgreSQL when TRYTOND_DATABASE_URI is set)"""
    from trytond import config
    production_validation()
    fresh = FreshDatabase(os.environ.get('TRYTOND_DATABASE_URI'),
        module=module, prefix=prefix)
    fresh.__enter__()
    try:
        config.update_etc(str(fresh.config))
        # For the benchmarks that start a server on the database
        args.config = str(fresh.config)
        result = run(fresh.name, args)
    finally:
        fresh.__exit__(None, None, None)
    print(json.dumps(result, ensure_ascii=False))
