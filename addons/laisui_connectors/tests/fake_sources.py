# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Fake external systems on 127.0.0.1, one HTTP server per source.

They follow doc/http_contract.md:

    GET /<endpoint>?cursor=<c>&limit=<n>
        {"records": [...], "next_cursor": "<c'>", "has_more": true|false}
    GET /<endpoint>/by-id/<id_number>
        {"records": [...]}

Records carry a change sequence; the cursor is the last sequence sent, so
a changed record comes again after it. `script` is a list of behaviours
consumed one per listing request, to misbehave on request: 'ok', 'error'
(HTTP 500), 'slow' (sleeps `slow_seconds`), 'garbage' (not JSON),
'truncate' (a page cut in the middle), 'repeat' (the same page again with
the same cursor), 'duplicate' (each record twice), 'contradict' (a second,
different version of the first record in the same page).
"""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

from trytond.modules.laisui_base.tests.local_server import LocalServer


class FakeSource(LocalServer):

    def __init__(self, token=None, port=0, slow_seconds=2.0):
        self.token = token
        self.slow_seconds = slow_seconds
        self.endpoints = {}
        self.script = []
        self.requests = []
        self._sequence = 0
        self._lock = threading.Lock()
        source = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                source.requests.append(self.path)
                if source.token and self.headers.get('Authorization') != (
                        f'Bearer {source.token}'):
                    return self._send(401, b'{"error": "unauthorised"}')
                url = urlsplit(self.path)
                parts = url.path.strip('/').split('/')
                if len(parts) == 3 and parts[1] == 'by-id':
                    records = [r for _, r in source.endpoints.get(
                            parts[0], {}).values()
                        if r.get('id_number') == parts[2]]
                    return self._json({'records': records})
                if len(parts) != 1 or parts[0] not in source.endpoints:
                    return self._send(404, b'{"error": "not found"}')
                query = parse_qs(url.query)
                cursor = int(query.get('cursor', ['0'])[0] or 0)
                limit = int(query.get('limit', ['100'])[0])
                behaviour = source.script.pop(0) if source.script else 'ok'
                if behaviour == 'slow':
                    time.sleep(source.slow_seconds)
                if behaviour == 'error':
                    return self._send(500, b'internal error')
                if behaviour == 'garbage':
                    return self._send(200, b'<html>busy</html>')
                page, following, more = source.page(parts[0], cursor, limit)
                if behaviour == 'repeat':
                    following = cursor
                    more = True
                if behaviour == 'duplicate':
                    page = [r for r in page for _ in (0, 1)]
                if behaviour == 'contradict' and page:
                    other = dict(page[0], end='2099-12-31')
                    page = page + [other]
                body = json.dumps({'records': page,
                        'next_cursor': str(following),
                        'has_more': more}, ensure_ascii=False).encode()
                if behaviour == 'truncate':
                    body = body[:len(body) // 2]
                self._send(200, body)

            def _json(self, value):
                self._send(200, json.dumps(
                        value, ensure_ascii=False).encode())

            def _send(self, status, body):
                self.send_response(status)
                self.send_header('Content-Type',
                    'application/json; charset=utf-8')
                self.send_header('Content-Length', str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.serve(Handler, port)
        self.url = f'http://127.0.0.1:{self.port}'

    def put(self, endpoint, records, key='record_no'):
        """Add or change records (same `key` value: a change, which moves
        the record past the cursors; key None: always new records)"""
        with self._lock:
            # dicts keep insertion order: a changed record moves to the end
            rows = self.endpoints.setdefault(endpoint, {})
            for record in records:
                self._sequence += 1
                name = record.get(key) if key else self._sequence
                rows.pop(name, None)
                rows[name] = (self._sequence, dict(record))

    def remove(self, endpoint, names):
        "Drop records by their key value (a full refresh no longer lists them)"
        with self._lock:
            for name in names:
                self.endpoints[endpoint].pop(name, None)

    def page(self, endpoint, cursor, limit):
        with self._lock:
            # in sequence order already (see put)
            rows = [(s, r) for s, r in self.endpoints[endpoint].values()
                if s > cursor]
        page = rows[:limit]
        following = page[-1][0] if page else cursor
        return [r for _, r in page], following, len(rows) > limit
