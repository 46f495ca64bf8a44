# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""A fake SMS gateway on 127.0.0.1 that can misbehave on request.

POST / takes {"phone", "content", "signature", "reference", "callback"},
checks X-Laisui-Signature and answers {"id": ...}. Set `script` to a list
of behaviours consumed one per request: 'ok', 'error' (HTTP 500), 'busy'
(429), 'reject' (400), 'slow' (sleeps past the client timeout), 'garbage'
(200 with a body that is not JSON).
"""
import hashlib
import hmac
import json
import time
from http.server import BaseHTTPRequestHandler

from .local_server import LocalServer


class FakeGateway(LocalServer):

    def __init__(self, secret, slow_seconds=1.5):
        self.secret = secret.encode()
        self.slow_seconds = slow_seconds
        self.script = []
        self.received = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers['Content-Length']))
                signature = hmac.new(
                    gateway.secret, body, hashlib.sha256).hexdigest()
                if not hmac.compare_digest(
                        signature,
                        self.headers.get('X-Laisui-Signature', '')):
                    return self._send(401, b'{"error": "signature"}')
                behaviour = (gateway.script.pop(0) if gateway.script
                    else 'ok')
                if behaviour == 'slow':
                    time.sleep(gateway.slow_seconds)
                if behaviour == 'error':
                    return self._send(500, b'oops')
                if behaviour == 'busy':
                    return self._send(429, b'slow down')
                if behaviour == 'reject':
                    return self._send(400, b'{"error": "phone"}')
                if behaviour == 'garbage':
                    return self._send(200, b'<html>')
                gateway.received.append(json.loads(body))
                reply = {'id': f'gw-{len(gateway.received)}'}
                self._send(200, json.dumps(reply).encode())

            def _send(self, status, body):
                self.send_response(status)
                self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.serve(Handler)
        self.url = f'http://127.0.0.1:{self.port}/'
