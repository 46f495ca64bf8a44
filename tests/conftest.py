# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""A real Laisui server for the browser tests.

The fixture makes a fresh database on the backend the suite runs on
(SQLite, or PostgreSQL when TRYTOND_DATABASE_URI is set), activates the
modules in zh_CN, prepares staff, and starts `trytond` on a free port of
127.0.0.1 with the development SMS gateway.
"""
import base64
import contextlib
import os
import re
import socket
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
STAFF_PASSWORD = 'Laisui-Staff-2026'


def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, tmp):
        self.tmp = Path(tmp)
        self.uri = os.environ.get('TRYTOND_DATABASE_URI', 'sqlite://')
        self.backend = ('postgresql' if self.uri.startswith('postgresql')
            else 'sqlite')
        self.db = f'laisui_browser_{os.getpid()}'
        self.port = _free_port()
        self.url = f'http://127.0.0.1:{self.port}'
        self.portal = f'{self.url}/{self.db}/portal'
        self.config = self.tmp / 'trytond.conf'
        self.process = None

    def write_config(self):
        from trytond.modules.laisui_base.tests.clamd import daemon
        (self.tmp / 'db').mkdir()
        # Uploads are scanned, as in production, by the tests' clamd.
        clamd = daemon()
        self.config.write_text(textwrap.dedent(f'''\
            [database]
            uri = {self.uri}
            path = {self.tmp / 'db'}
            language = zh_CN
            [web]
            listen = 127.0.0.1:{self.port}
            root = {ROOT / 'var' / 'sao' / 'package'}
            [queue]
            worker = False
            [session]
            max_attempt = 20
            [laisui_sms]
            # Every journey's applicant comes from 127.0.0.1: one office
            # network, whose per-address limits the suite would exhaust.
            ip_per_hour = 1000
            ip_per_day = 5000
            [laisui_upload]
            scan = required
            clamd_socket = {clamd.socket}
            '''))

    def env(self):
        env = dict(os.environ, TRYTOND_CONFIG=str(self.config),
            TRYTONPASSFILE=str(self.tmp / 'pass'))
        for key in ['TRYTOND_DATABASE_URI', 'TRYTOND_DATABASE__PATH',
                'TRYTOND_WEB__ROOT', 'DB_NAME', 'DB_CACHE']:
            env.pop(key, None)
        return env

    def run(self, *args):
        result = subprocess.run(args, env=self.env(), cwd=self.tmp,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if result.returncode:
            raise RuntimeError(result.stderr.decode()[-3000:])

    def create(self):
        self.write_config()
        (self.tmp / 'pass').write_text('admin-Browser-2026')
        if self.backend == 'sqlite':
            (self.tmp / 'db' / f'{self.db}.sqlite').touch()
        else:
            self._pg('CREATE DATABASE "%s" ENCODING \'UTF8\'' % self.db)
        admin = str(VENV_BIN / 'trytond-admin')
        self.run(admin, '-c', str(self.config), '-d', self.db, '--all',
            '-l', 'zh_CN', '--email', 'admin@laisui.example')
        self.run(admin, '-c', str(self.config), '-d', self.db,
            '-u', 'laisui_integrity', 'laisui_connectors', 'laisui_review',
            'laisui_admission', 'laisui_services', 'laisui_report',
            'laisui_api', '--activate-dependencies')
        self.run(admin, '-c', str(self.config), '-d', self.db, '--all')
        self.run(sys.executable, '-c', SETUP, self.db)

    def start(self):
        log = open(self.tmp / 'trytond.log', 'wb')
        self.process = subprocess.Popen(
            [str(VENV_BIN / 'trytond'), '-c', str(self.config),
                '-d', self.db], env=self.env(), cwd=self.tmp,
            stdout=log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while time.time() < deadline:
            with contextlib.suppress(OSError):
                urllib.request.urlopen(self.portal + '/login', timeout=2)
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.3)
        raise RuntimeError((self.tmp / 'trytond.log').read_text()[-3000:])

    def stop(self):
        if self.process:
            self.process.terminate()
            self.process.wait(10)
            # Keep the server log for a failed run's post-mortem.
            log = self.tmp / 'trytond.log'
            (ROOT / 'var' / 'log').mkdir(parents=True, exist_ok=True)
            (ROOT / 'var' / 'log' / 'browser-trytond.log').write_bytes(
                log.read_bytes())
        if self.backend == 'postgresql':
            self._pg('DROP DATABASE IF EXISTS "%s"' % self.db)

    def _pg(self, statement):
        import psycopg
        with psycopg.connect(self.uri.rstrip('/') + '/postgres',
                autocommit=True) as connection:
            connection.execute(statement)

    def python(self, body):
        """Run `body` in a committed transaction on the server's database
        as root, with `pool` at hand; return what it prints."""
        code = PRELUDE + textwrap.indent(textwrap.dedent(body), '    ') + (
            '\n    t.commit()\n')
        result = subprocess.run([sys.executable, '-c', code, self.db],
            env=self.env(), cwd=self.tmp, capture_output=True, text=True)
        if result.returncode:
            raise RuntimeError(result.stderr[-3000:])
        return result.stdout

    def spawn(self, body):
        """Start `body` like python() but in the background, its stdout
        a pipe: for what must be killed half-way."""
        code = PRELUDE + textwrap.indent(textwrap.dedent(body), '    ') + (
            '\n    t.commit()\n')
        return subprocess.Popen([sys.executable, '-c', code, self.db],
            env=self.env(), cwd=self.tmp, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True)

    def rpc(self, login, password):
        "A JSON-RPC session of a staff user, as the sao client opens one"
        return RPCSession(self, login, password)

    def last_sms(self, phone):
        query = ('SELECT content FROM laisui_sms_message WHERE phone = '
            '%s ORDER BY id DESC LIMIT 1')
        if self.backend == 'sqlite':
            path = self.tmp / 'db' / f'{self.db}.sqlite'
            with contextlib.closing(sqlite3.connect(path)) as connection:
                row = connection.execute(
                    query.replace('%s', '?'), (phone,)).fetchone()
        else:
            import psycopg
            with psycopg.connect(
                    self.uri.rstrip('/') + '/' + self.db) as connection:
                row = connection.execute(query, (phone,)).fetchone()
        return row[0] if row else None

    def last_code(self, phone):
        return re.search(r'\d{6}', self.last_sms(phone)).group(0)


class RPCError(Exception):
    pass


def at_once(sessions, call):
    "Run call(session) in one thread per session, released together"
    barrier = threading.Barrier(len(sessions))
    outcomes = []

    def run(session):
        barrier.wait()
        try:
            call(session)
            outcomes.append('ok')
        except RPCError as e:
            outcomes.append(str(e))
        except Exception as e:  # a crash must fail the test, not vanish
            outcomes.append(repr(e))

    threads = [threading.Thread(target=run, args=(s,)) for s in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return outcomes


class RPCSession:
    def __init__(self, server, login, password):
        import requests
        self.url = f'{server.url}/{server.db}/rpc/'
        self.http = requests.Session()
        user_id, session, _ = self._call('common.db.login',
            [login, {'password': password}, 'zh_CN'])
        token = base64.b64encode(
            f'{login}:{user_id}:{session}'.encode()).decode()
        self.http.headers['Authorization'] = f'Session {token}'

    def _call(self, method, params):
        response = self.http.post(self.url, json={
                'id': 1, 'method': method, 'params': params}, timeout=60)
        response.raise_for_status()
        data = response.json()
        if data.get('error'):
            error = data['error']
            # UserError: ['UserError', [message, description, domain]]
            raise RPCError(error[1][0] if isinstance(error[1], list)
                else str(error))
        return data['result']

    def __call__(self, model, method, *args, context=None):
        return self._call(f'model.{model}.{method}',
            [*args, {'language': 'zh_CN', **(context or {})}])


PRELUDE = """import datetime as dt, json, os, sys
import trytond.config
trytond.config.update_etc(os.environ['TRYTOND_CONFIG'])
from trytond.pool import Pool
from trytond.transaction import Transaction
Pool(sys.argv[1]).init()
with Transaction().start(sys.argv[1], 0, context={'language': 'zh_CN'}) as t:
    pool = Pool()
"""


# Staff for the back office and a reference date where the 2018 table is
# in force (the 2019 Yuexiu admission).
SETUP = f'''
import datetime as dt, os, sys
import trytond.config
trytond.config.update_etc(os.environ['TRYTOND_CONFIG'])
from trytond.pool import Pool
from trytond.transaction import Transaction
db = sys.argv[1]
Pool(db).init()
with Transaction().start(db, 0, context={{'language': 'zh_CN'}}) as t:
    pool = Pool()
    User = pool.get('res.user')
    Lang = pool.get('ir.lang')
    Data = pool.get('ir.model.data')
    Configuration = pool.get('laisui.points.configuration')
    Configuration.write([Configuration(1)],
        {{'reference_date': dt.date(2019, 4, 30)}})
    zh, = Lang.search([('code', '=', 'zh_CN')])
    User.create([{{'name': name, 'login': login,
        'password': '{STAFF_PASSWORD}', 'language': zh.id,
        'groups': [('add', [Data.get_id('laisui_base', group)])]}}
        for name, login, group in [
            ('窗口工作人员', 'window01', 'group_window_clerk'),
            ('区审核员', 'reviewer01', 'group_district_reviewer'),
            ('区管理员', 'dadmin01', 'group_district_admin'),
            ]])
    t.commit()
'''


@pytest.fixture(scope='session')
def laisui_server():
    with tempfile.TemporaryDirectory(prefix='laisui-browser-') as tmp:
        server = Server(tmp)
        server.create()
        server.start()
        try:
            yield server
        finally:
            server.stop()


@pytest.fixture(scope='session')
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path='/usr/bin/chromium',
            args=['--no-sandbox', '--disable-gpu', '--disable-quic',
                '--no-first-run', '--disable-background-networking',
                '--disable-component-update', '--disable-sync'])
        yield browser
        browser.close()
