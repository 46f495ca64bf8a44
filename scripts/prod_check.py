#!/usr/bin/env python3
# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Bring the production stack up with scripts/prod.sh and check it from
outside, as a client and as the monitoring would; .ci/run runs it.

    python scripts/prod_check.py [--keep]

A fake SMS gateway on 127.0.0.1 stands for the real one; nginx listens on
127.0.0.1:8443 (HTTPS) and :8080. Exits 1 at the first check that fails.
"""
import argparse
import json
import os
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HTTPS = 'https://127.0.0.1:8443'
CONTEXT = ssl._create_unverified_context()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(
    urllib.request.HTTPSHandler(context=CONTEXT), NoRedirect)


def get(url, method='GET', data=None, headers=None):
    "(status, headers, body)"
    request = urllib.request.Request(url, data=data, method=method,
        headers=headers or {})
    try:
        with OPENER.open(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def check(condition, message):
    print(('ok    ' if condition else 'FAIL  ') + message, flush=True)
    if not condition:
        raise SystemExit(1)


def prod(*args, env=None):
    return subprocess.run(['bash', str(ROOT / 'scripts' / 'prod.sh'), *args],
        env=env, stdout=sys.stderr)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--keep', action='store_true',
        help="leave the stack running")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from trytond.modules.laisui_base.tests.fake_sms_gateway import (
        FakeGateway)

    with FakeGateway('check-secret') as gateway:
        env = dict(os.environ, LAISUI_HTTPS_PORT='8443',
            LAISUI_HTTP_PORT='8080', TRYTOND_LAISUI_SMS__SECRET='check-secret')
        env.pop('TRYTOND_LAISUI_SMS__URL', None)
        check(prod(env=env).returncode != 0,
            "prod.sh refuses to start without an SMS gateway")
        env['TRYTOND_LAISUI_SMS__URL'] = gateway.url
        try:
            check(prod(env=env).returncode == 0, "prod.sh starts the stack")
            check(prod('status').returncode == 0,
                "gunicorn, trytond-worker, trytond-cron and nginx run")

            status, _, body = get(f'{HTTPS}/laisui/laisui/health')
            health = json.loads(body)
            check(status == 200 and health['database']['ok']
                and health['sms']['provider'] == 'http'
                and health['sms']['gateway']['ok'],
                f"health over HTTPS: {health['status']}")
            status, headers, _ = get('http://127.0.0.1:8080/laisui/portal/')
            check(status == 301 and headers['Location'].startswith(
                    'https://'), "plain HTTP is redirected to HTTPS")
            status, headers, body = get(f'{HTTPS}/laisui/portal/login')
            check(status == 200 and 'max-age' in headers.get(
                    'Strict-Transport-Security', '')
                and 'Secure' in headers.get('Set-Cookie', ''),
                "portal login page with HSTS and Secure cookies")
            status, _, _ = get(f'{HTTPS}/laisui/bus', method='POST',
                data=b'{}', headers={'Content-Type': 'application/json'})
            check(status == 404, "the bus is refused at the proxy")
            status, _, body = get(f'{HTTPS}/laisui/api/v1/openapi.json')
            check(status == 200 and json.loads(body)['servers'] == [
                    {'url': '/laisui/api/v1'}],
                "the data API's OpenAPI document through the proxy")
            status, headers, _ = get(f'{HTTPS}/laisui/api/v1/statements')
            check(status == 401 and headers.get('Content-Type', '')
                .startswith('application/problem+json'),
                "the data API refuses a call without a token")
            logged = len(access_log())
            status, _, body = get(f'{HTTPS}/rpc/', method='POST',
                data=b'{"id": 1, "method": "common.server.version", '
                b'"params": []}', headers={'Content-Type': 'application/json'})
            check(status == 200 and json.loads(body)['result'] == '8.0',
                "JSON-RPC through the proxy")
            check(rpc_logged(logged),
                "gunicorn writes one JSON line per request")
        finally:
            if not args.keep:
                prod('stop')


def access_log():
    "The lines of the production stack's access log"
    log = ROOT / 'var' / 'prod' / 'log' / 'access.log'
    return log.read_text().splitlines() if log.exists() else []


def rpc_logged(after, timeout=5):
    """Whether the access log gets, after its first `after` lines, the JSON
    line of an RPC request: gunicorn writes it once the answer is sent, and
    other requests (the health check, cron) may come before or after it"""
    deadline = time.monotonic() + timeout
    while True:
        for line in access_log()[after:]:
            entry = json.loads(line) if line.startswith('{') else {}
            if entry.get('path') == '/rpc/':
                return isinstance(entry.get('ms'), int)
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)

if __name__ == '__main__':
    main()
