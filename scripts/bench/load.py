#!/usr/bin/env python3
# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Load benchmark of the production stack (scripts/prod.sh), from 127.0.0.1.

    python scripts/bench/load.py [--duration 15] [--users 10,50,100,200]

It starts a fake SMS gateway and the stack (HTTPS on 127.0.0.1:8443, the
demo data), publishes the demo round's results, then measures, each step
bounded (at most --duration seconds of load, well under 2 minutes):

- ceiling: `common.server.version` over JSON-RPC (wrk), what trytond
  itself can answer;
- public_results: the published results page (wrk);
- parent_flow at each N: N parents, each in a loop: login page → sign in
  (password) → home → points → admission → application form → sign out;
- burst: N parents (the largest N) open the login page at the same second
  and go through one flow each: how long until the last one is served;
- pages_during_sign_in: 50 signed-in parents read pages (a page a second
  each) while 50 others sign in and out without pause; and the same with
  the readers reading without pause (pages_during_sign_in_no_pause);
- staff_rpc at 10 and 50 clients: staff sessions (password + SMS code from
  the fake gateway) calling the back office's RPC;
- hostile: a parent going through the flow again and again while 50
  back-office clients are open (each polling the bus as a live client
  would) and 16 clients send wrong passwords, to the portal and to the
  staff login.

The server's own figures come from gunicorn's JSON access log
(var/prod/log/access.log) of the run: per kind of request, the count and
the p50/p95 of the time the server spent.

The last line is JSON: per scenario (and N) req_per_s, p50_ms, p95_ms,
p99_ms, errors, and for flows flows_per_second; then the targets and
whether each is met.
"""
import argparse
import collections
import base64
import http.client
import http.cookies
import json
import os
import random
import re
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DB = 'laisui'
HOST = '127.0.0.1'
PORT = 8443
PASSWORD = os.environ.get('LAISUI_DEMO_PASSWORD') or 'Laisui-Demo-2026'
SMS_SECRET = 'bench-secret'
STAFF = ['window01', 'reviewer01', 'districtadmin01', 'dept_hrss01',
    'dept_police01']
# The wrong passwords go to other accounts: the benchmark's own staff
# sessions must still be able to sign in at the next run.
GUESSED_STAFF = ['auditor01', 'secadmin01', 'sysadmin01']
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
CODE = re.compile(r'(\d{6})')


def log(message):
    print(message, file=sys.stderr, flush=True)


def percentile(values, p):
    if not values:
        return None
    values = sorted(values)
    k = min(len(values) - 1, max(0, round(p / 100 * (len(values) - 1))))
    return round(values[k], 1)


def summary(latencies, errors, seconds, flows=None, unexpected=None):
    result = {
        'requests': len(latencies),
        'req_per_s': round(len(latencies) / seconds, 1),
        'p50_ms': percentile(latencies, 50),
        'p95_ms': percentile(latencies, 95),
        'p99_ms': percentile(latencies, 99),
        'errors': errors,
        'seconds': round(seconds, 2),
        }
    if unexpected:
        result['unexpected'] = dict(unexpected.most_common(5))
    if flows is not None:
        result['flows'] = flows
        result['flows_per_second'] = round(flows / seconds, 2)
    return result


class Client:
    "One browser: a keep-alive TLS connection and its cookies"

    context = ssl._create_unverified_context()

    def __init__(self):
        self.cookies = {}
        self.connection = None

    def request(self, method, path, form=None, json_body=None, headers=None):
        "(status, body text, milliseconds)"
        headers = dict(headers or {})
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers['Content-Type'] = 'application/x-www-form-urlencoded'
            headers['Origin'] = f'https://{HOST}:{PORT}'
        elif json_body is not None:
            body = json.dumps(json_body)
            headers['Content-Type'] = 'application/json'
        if self.cookies:
            headers['Cookie'] = '; '.join(
                f'{k}={v}' for k, v in self.cookies.items())
        for attempt in range(2):
            if self.connection is None:
                self.connection = http.client.HTTPSConnection(
                    HOST, PORT, context=self.context, timeout=60)
            start = time.perf_counter()
            try:
                self.connection.request(method, path, body, headers)
                response = self.connection.getresponse()
                data = response.read()
            except (OSError, http.client.HTTPException):
                self.connection.close()
                self.connection = None
                if attempt:
                    raise
                continue
            ms = (time.perf_counter() - start) * 1000
            for header in response.headers.get_all('Set-Cookie') or []:
                cookie = http.cookies.SimpleCookie(header)
                for name, morsel in cookie.items():
                    if morsel.value:
                        self.cookies[name] = morsel.value
                    else:
                        self.cookies.pop(name, None)
            return response.status, data.decode('utf-8', 'replace'), ms

    def close(self):
        if self.connection:
            self.connection.close()


class Recorder:
    "Latencies and errors of one scenario, from many threads"

    def __init__(self):
        self.lock = threading.Lock()
        self.latencies = []
        self.errors = 0
        self.flows = 0
        self.unexpected = collections.Counter()

    def call(self, client, method, path, expect=(200,), **kwargs):
        try:
            status, body, ms = client.request(method, path, **kwargs)
        except (OSError, http.client.HTTPException):
            with self.lock:
                self.errors += 1
            return None
        with self.lock:
            self.latencies.append(ms)
            if status not in expect:
                self.errors += 1
                self.unexpected[f'{method} {path} {status}'] += 1
        return body if status in expect else None


def portal(path=''):
    return f'/{DB}/portal{path}'


def sign_in(recorder, client, phone, password=PASSWORD, expect=(302,)):
    page = recorder.call(client, 'GET', portal('/login'))
    token = CSRF.search(page or '')
    if not token:
        return False
    return recorder.call(client, 'POST', portal('/login'), expect=expect,
        form={'csrf_token': token.group(1), 'phone': phone,
            'password': password, 'action': 'password'}) is not None


def sign_out(recorder, client):
    page = recorder.call(client, 'GET', portal('/'))
    token = CSRF.search(page or '')
    if token:
        recorder.call(client, 'POST', portal('/logout'), expect=(302,),
            form={'csrf_token': token.group(1)})


PAGES = ['/', '/points', '/admission', '/admission/apply']


def parent_flow(recorder, phone, client=None, same_browser=False):
    """One parent's visit. A client given keeps its connection (TLS
    session) from the previous visit, so that the load generator spends
    its CPU on requests, not on handshakes; its cookies are dropped but,
    for the same browser coming back, the device cookie of a number that
    signed in from it before."""
    own = client is None
    client = client or Client()
    client.cookies = {k: v for k, v in client.cookies.items()
        if same_browser and k == 'laisui_device'}
    try:
        if sign_in(recorder, client, phone):
            for page in PAGES:
                recorder.call(client, 'GET', portal(page))
            sign_out(recorder, client)
            with recorder.lock:
                recorder.flows += 1
    finally:
        if own:
            client.close()


def run_threads(count, target, duration=None):
    """Run target(index, deadline) in count threads; the wall time"""
    start = time.perf_counter()
    deadline = start + duration if duration else None
    threads = [threading.Thread(target=target, args=(i, deadline))
        for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - start


def looping(func):
    "target for run_threads: func(index) until the deadline"
    def target(index, deadline):
        while time.perf_counter() < deadline:
            func(index)
    return target


# --- scenarios -------------------------------------------------------------

def wrk(path, duration, connections=64, method='GET', body=None):
    "wrk's figures for one URL, from its Lua done() hook"
    script = """
wrk.method = %s
wrk.body = %s
wrk.headers["Content-Type"] = "application/json"
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.status + summary.errors.timeout
  io.write(string.format(
    'WRK {"requests": %%d, "req_per_s": %%.1f, "p50_ms": %%.1f, '
    .. '"p95_ms": %%.1f, "p99_ms": %%.1f, "errors": %%d, "seconds": %%.2f}\\n',
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, errors, summary.duration / 1e6))
end
""" % (json.dumps(method), json.dumps(body) if body else 'nil')
    with tempfile.NamedTemporaryFile('w', suffix='.lua') as file:
        file.write(script)
        file.flush()
        output = subprocess.run(
            ['wrk', '-t', '2', '-c', str(connections), '-d', f'{duration}s',
                '-s', file.name, f'https://{HOST}:{PORT}{path}'],
            capture_output=True, text=True, timeout=duration + 60).stdout
    line = next(line for line in output.splitlines()
        if line.startswith('WRK '))
    return json.loads(line[4:])


def parents(count, phones, duration):
    recorder = Recorder()
    clients = [Client() for _ in range(count)]
    seconds = run_threads(count, looping(lambda i: parent_flow(
                recorder, random.choice(phones), clients[i])), duration)
    for client in clients:
        client.close()
    return summary(recorder.latencies, recorder.errors, seconds,
        recorder.flows, recorder.unexpected)


def burst(count, phones):
    "count parents arrive at once, one flow each"
    recorder = Recorder()
    barrier = threading.Barrier(count)

    def one(index, _):
        barrier.wait()
        parent_flow(recorder, phones[index])
    seconds = run_threads(count, one)
    result = summary(recorder.latencies, recorder.errors, seconds,
        recorder.flows, recorder.unexpected)
    result['users'] = count
    result['last_served_s'] = round(seconds, 2)
    return result


def pages_during_sign_in(readers, signers, phones, duration, think=0):
    """readers signed-in parents read pages (think: seconds between two
    pages, on average) while signers sign in and out without pause"""
    pages, logins = Recorder(), Recorder()
    clients = []
    for phone in phones[:readers]:
        client = Client()
        sign_in(Recorder(), client, phone)
        clients.append(client)
    others = phones[readers:readers + signers]

    def target(index, deadline):
        if index < readers:
            client = clients[index]
            while time.perf_counter() < deadline:
                pages.call(client, 'GET', portal(random.choice(PAGES[1:])))
                if think:
                    time.sleep(random.uniform(0.5, 1.5) * think)
        else:
            while time.perf_counter() < deadline:
                client = Client()
                if sign_in(logins, client, others[index - readers]):
                    sign_out(logins, client)
                client.close()
    seconds = run_threads(readers + signers, target, duration)
    for client in clients:
        sign_out(Recorder(), client)
        client.close()
    return {
        'pages': summary(pages.latencies, pages.errors, seconds,
            unexpected=pages.unexpected),
        'sign_ins': summary(logins.latencies, logins.errors, seconds,
            unexpected=logins.unexpected),
        }


def rpc(client, session, method, params):
    "One JSON-RPC call of a staff session: (status, result or error)"
    user_id, token, login = session
    auth = 'Session ' + base64.b64encode(
        f'{login}:{user_id}:{token}'.encode()).decode()
    status, body, ms = client.request('POST', f'/{DB}/rpc/', json_body={
            'id': 1, 'method': method, 'params': params},
        headers={'Authorization': auth})
    return status, json.loads(body) if status == 200 else body, ms


def staff_login(gateway, login):
    "A staff session: password, then the SMS code the gateway received"
    client = Client()
    params = {'password': PASSWORD}
    for _ in range(3):
        seen = len(gateway.received)
        status, body, _ = client.request('POST', f'/{DB}/rpc/', json_body={
                'id': 1, 'method': 'common.db.login',
                'params': [login, params, 'zh_CN']})
        if status == 429:
            # Locked by failed logins of an earlier run: [session] timeout.
            log(f'staff login {login}: 429, skipped')
            return None
        reply = json.loads(body)
        if 'result' in reply:
            client.close()
            user_id, token = reply['result'][:2]
            return user_id, token, login
        error = reply.get('error') or ['', ['']]
        if error[1][0] != 'sms_code':
            raise RuntimeError(f'staff login {login}: {error}')
        for _ in range(200):
            codes = [m for m in gateway.received[seen:]
                if '登录验证码' in m['content']]
            if codes:
                break
            time.sleep(0.05)
        else:
            raise RuntimeError(f'no SMS code for {login}')
        params['sms_code'] = CODE.search(codes[-1]['content']).group(1)
    raise RuntimeError(f'staff login {login} did not finish')


STAFF_CALLS = [
    ('model.res.user.get_preferences', [True, {}]),
    ('model.laisui.applicant.search_count', [[], {}]),
    ('model.laisui.applicant.search_read',
        [[], 0, 20, None, ['rec_name'], {}]),
    ]


def staff(count, sessions, duration):
    recorder = Recorder()

    def call(index):
        client = clients[index]
        method, params = random.choice(STAFF_CALLS)
        try:
            status, reply, ms = rpc(
                client, sessions[index % len(sessions)], method, params)
        except (OSError, http.client.HTTPException, ValueError):
            with recorder.lock:
                recorder.errors += 1
            return
        with recorder.lock:
            recorder.latencies.append(ms)
            if status != 200 or 'error' in reply:
                recorder.errors += 1
    clients = [Client() for _ in range(count)]
    seconds = run_threads(count, looping(call), duration)
    for client in clients:
        client.close()
    return summary(recorder.latencies, recorder.errors, seconds)


def hostile(phones, sessions, duration, back_office=50, guessers=16):
    """A parent's pages while back-office clients are open and wrong
    passwords arrive"""
    parent, office, wrong = Recorder(), Recorder(), Recorder()
    reader = Client()
    # The parent has signed in from this browser before.
    parent_flow(Recorder(), phones[0], reader)
    victims = phones[1:]

    def target(index, deadline):
        if index == 0:
            # A parent signs in, reads every page and signs out, again,
            # from the same browser: the guesses from the same address
            # (as behind one carrier NAT) hold new browsers, not this one.
            while time.perf_counter() < deadline:
                parent_flow(parent, phones[0], reader, same_browser=True)
        elif index <= back_office:
            # An open back-office client: it polls the bus as a live client
            # does (refused at once) and calls the server every few seconds.
            client = Client()
            session = sessions[index % len(sessions)]
            time.sleep(random.random() * 3)
            while time.perf_counter() < deadline:
                office.call(client, 'POST', f'/{DB}/bus', expect=(404,),
                    json_body={'last_message': None, 'channels': []})
                status, reply, ms = rpc(client, session, *STAFF_CALLS[0])
                with office.lock:
                    office.latencies.append(ms)
                    if status != 200 or 'error' in reply:
                        office.errors += 1
                time.sleep(3)
            client.close()
        else:
            client = Client()
            while time.perf_counter() < deadline:
                if index % 2:
                    sign_in(wrong, client, random.choice(victims),
                        password='Wrong-Mima-0000',
                        expect=(401, 429))
                else:
                    wrong.call(client, 'POST', f'/{DB}/rpc/',
                        expect=(401, 429),
                        json_body={'id': 1, 'method': 'common.db.login',
                            'params': [random.choice(GUESSED_STAFF),
                                {'password': 'Wrong-Mima-0000'}, 'zh_CN']})
            client.close()
    seconds = run_threads(1 + back_office + guessers, target, duration)
    reader.close()
    return {
        'parent': summary(parent.latencies, parent.errors, seconds,
            parent.flows, parent.unexpected),
        'back_office': summary(office.latencies, office.errors, seconds,
            unexpected=office.unexpected),
        'wrong_passwords': summary(wrong.latencies, wrong.errors, seconds,
            unexpected=wrong.unexpected),
        }


# --- the stack -------------------------------------------------------------

def production_env(gateway):
    "The environment of scripts/prod.sh's trytond processes"
    env = dict(os.environ,
        TRYTOND_LAISUI_SMS__URL=gateway.url,
        TRYTOND_LAISUI_SMS__SECRET=SMS_SECRET)
    for line in (ROOT / 'config' / 'production.env').read_text().splitlines():
        if line and not line.startswith('#'):
            key, value = line.split('=', 1)
            env[key] = value
    password = (ROOT / 'var' / 'prod' / 'db-password').read_text().strip()
    env.update({
            'TRYTOND_CONFIG': str(ROOT / 'config' / 'production.conf'),
            'TRYTOND_DATABASE__URI':
                f'postgresql://laisui:{password}@127.0.0.1:5432/',
            'TRYTOND_DATABASE__PATH': str(ROOT / 'var' / 'prod' / 'filestore'),
            'TRYTOND_PASSWORD__FORBIDDEN':
                str(ROOT / 'config' / 'password_forbidden.txt'),
            })
    env.pop('TRYTOND_DATABASE_URI', None)
    return env


def start_stack(gateway):
    env = dict(os.environ,
        TRYTOND_LAISUI_SMS__URL=gateway.url,
        TRYTOND_LAISUI_SMS__SECRET=SMS_SECRET,
        LAISUI_HTTPS_PORT=str(PORT), LAISUI_HTTP_PORT='8080',
        LAISUI_DEMO='1')
    subprocess.run(['bash', str(ROOT / 'scripts' / 'prod.sh')], env=env,
        check=True, stdout=sys.stderr)


def publish_results(gateway):
    """Publish the demo round's results (in a trytond process of the
    stack's configuration); the round id"""
    code = r'''
import datetime as dt
from trytond.pool import Pool
from trytond.transaction import Transaction
Pool.start()
with Transaction().start('laisui', 0, context={'language': 'zh_CN'}) as t:
    pool = Pool('laisui'); pool.init()
    Round = pool.get('laisui.admission.round')
    Run = pool.get('laisui.admission.run')
    round_, = Round.search([], limit=1, order=[('id', 'ASC')])
    if not Run.published_run(round_):
        # Published once applications and preferences are closed.
        closed = dt.datetime.now() - dt.timedelta(hours=2)
        Round.write([round_], {
            'application_end': closed,
            'preference_end': closed,
            'allocation_date': dt.date.today(),
            'publication_start': dt.datetime.now() - dt.timedelta(hours=1)})
        runs = Run.search([('round', '=', round_.id), ('state', '=', 'done')])
        # The demo round still has applications in review: a district
        # admin authorises the early publication, as the guard asks.
        User = pool.get('res.user')
        admin, = User.search([('login', '=', 'districtadmin01')])
        with Transaction().set_user(admin.id):
            Run.record_override(runs[:1], '负载测试：演示批次提前发布结果')
        Run.publish(runs[:1])
    t.commit()
    print(round_.id)
'''
    output = subprocess.run([sys.executable, '-O', '-c', code],
        env=production_env(gateway), capture_output=True, text=True,
        check=True)
    return int(output.stdout.split()[-1])


def psql(sql):
    password = (ROOT / 'var' / 'prod' / 'db-password').read_text().strip()
    return subprocess.run(['psql', '-h', '127.0.0.1', '-U', 'laisui',
            '-d', DB, '-tAc', sql],
        env=dict(os.environ, PGPASSWORD=password), capture_output=True,
        text=True, check=True).stdout


def demo_phones(count):
    return psql('SELECT phone FROM web_user WHERE phone IS NOT NULL '
        f'ORDER BY id LIMIT {count}').split()


def forget_failed_logins():
    """Every run starts with no failed login counted: the wrong passwords
    of an earlier run would hold its address ([session] timeout)."""
    psql('DELETE FROM web_user_authenticate_attempt; '
        'DELETE FROM res_user_login_attempt')


def wait_outbox_empty(timeout=120):
    "SMS the publication queued are sent before measuring"
    client = Client()
    end = time.time() + timeout
    while time.time() < end:
        _, body, _ = client.request('GET', f'/{DB}/laisui/health')
        health = json.loads(body)
        if not health['sms']['pending'] and not health['queue']['pending']:
            break
        time.sleep(1)
    client.close()
    return health


TARGETS = {
    'parent_flows_per_second': ('>=', 30),
    'pages_p95_ms_during_sign_in_50': ('<=', 300),
    'burst_200_last_served_s': ('<=', 15),
    'public_results_req_per_s': ('>=', 500),
    'hostile_parent_p95_ms': ('<=', 500),
    'errors': ('==', 0),
    }


ACCESS_LOG = ROOT / 'var' / 'prod' / 'log' / 'access.log'
NUMBER = re.compile(r'/[0-9]+(?=/|$)')


def server_figures(offset):
    "Per method and path (ids as :id), the server's time from the log"
    times = collections.defaultdict(list)
    with open(ACCESS_LOG, encoding='utf-8', errors='replace') as file:
        file.seek(offset)
        for line in file:
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            path = NUMBER.sub('/:id', entry['path'])
            times[f"{entry['method']} {path}"].append(entry['ms'])
    return {name: {'requests': len(ms), 'p50_ms': percentile(ms, 50),
            'p95_ms': percentile(ms, 95)}
        for name, ms in sorted(times.items(), key=lambda i: -len(i[1]))
        if len(ms) >= 20}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--duration', type=int, default=15)
    parser.add_argument('--users', default='10,50,100,200')
    parser.add_argument('--no-start', action='store_true',
        help="measure a stack that is already running")
    args = parser.parse_args()
    users = [int(n) for n in args.users.split(',')]

    sys.path.insert(0, str(ROOT))
    from trytond.modules.laisui_base.tests.fake_sms_gateway import (
        FakeGateway)
    results = {}
    with FakeGateway(SMS_SECRET) as gateway:
        if not args.no_start:
            log('starting the stack (scripts/prod.sh)')
            start_stack(gateway)
        log_offset = ACCESS_LOG.stat().st_size
        round_id = publish_results(gateway)
        log(f'results of round {round_id} published; waiting for the SMS')
        wait_outbox_empty()
        forget_failed_logins()
        phones = demo_phones(max(users) + 120)
        # The wrong passwords go to other parents than those measured.
        phones, victims = phones[:-100], phones[-100:]
        duration = args.duration

        log('ceiling: common.server.version')
        results['ceiling'] = wrk('/rpc/', duration, method='POST',
            body=json.dumps({'id': 1, 'method': 'common.server.version',
                    'params': []}))
        log('public results page')
        results['public_results'] = wrk(
            portal(f'/admission/rounds/{round_id}/results'), duration)
        results['parent_flow'] = {}
        for n in users:
            log(f'parent flow, {n} users')
            results['parent_flow'][str(n)] = parents(n, phones, duration)
        log(f'burst of {max(users)} parents')
        results['burst'] = burst(max(users), phones)
        log('signed-in pages during a sign-in burst (50 + 50)')
        # People read a page before the next (1 s on average, which is
        # quick); without pause the 50 readers alone would fill the
        # machine and their wait would measure only their own number.
        results['pages_during_sign_in'] = pages_during_sign_in(
            50, 50, phones, duration, think=1)
        log('the same, the readers without pause')
        results['pages_during_sign_in_no_pause'] = pages_during_sign_in(
            50, 50, phones, duration)
        log('staff sessions (password + SMS code)')
        sessions = [s for s in (staff_login(gateway, login)
                for login in STAFF) if s]
        results['staff_rpc'] = {}
        for n in [10, 50]:
            log(f'staff RPC, {n} clients')
            results['staff_rpc'][str(n)] = staff(n, sessions, duration)
        log('50 back-office clients and 16 wrong passwords')
        results['hostile'] = hostile(
            phones[:1] + victims, sessions, duration)

    results['server'] = server_figures(log_offset)
    flows = max(r['flows_per_second']
        for r in results['parent_flow'].values())
    figures = {
        'parent_flows_per_second': flows,
        'pages_p95_ms_during_sign_in_50':
            results['pages_during_sign_in']['pages']['p95_ms'],
        'burst_200_last_served_s': results['burst']['last_served_s'],
        'public_results_req_per_s': results['public_results']['req_per_s'],
        'hostile_parent_p95_ms':
            results['hostile']['parent']['p95_ms'],
        'errors': sum(r['errors'] for r in [
                results['ceiling'], results['public_results'],
                *results['parent_flow'].values(), results['burst'],
                *results['pages_during_sign_in'].values(),
                *results['pages_during_sign_in_no_pause'].values(),
                *results['staff_rpc'].values(),
                results['hostile']['parent'],
                results['hostile']['back_office']]),
        }
    ops = {'>=': float.__ge__, '<=': float.__le__, '==': float.__eq__}
    results['targets'] = {name: {
            'value': figures[name], 'target': f'{op} {value}',
            'met': ops[op](float(figures[name]), float(value))}
        for name, (op, value) in TARGETS.items()}
    print(json.dumps(results, ensure_ascii=False))


if __name__ == '__main__':
    main()
