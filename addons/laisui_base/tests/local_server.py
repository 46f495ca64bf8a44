# This file is part of Laisui.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""What the fake external systems of the tests share: an HTTP server on
127.0.0.1 answering from a thread, started and stopped as a context."""
import threading
from http.server import ThreadingHTTPServer


class LocalServer:

    def serve(self, handler, port=0):
        "Bind `handler` on 127.0.0.1:port (0: any free port)"
        self.server = ThreadingHTTPServer(('127.0.0.1', port), handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(
            target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
