#!/usr/bin/env python3
"""A tiny round-robin load balancer for the two-servers test (bench/two-servers.sh): each
request goes to the next backend; one that refuses the connection or fails before answering
is skipped and the request tried on the next, as nginx's proxy_next_upstream does.

    balancer.py PORT BACKEND_PORT...
"""
import http.client
import itertools
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT = int(sys.argv[1])
BACKENDS = [int(p) for p in sys.argv[2:]]
NEXT = itertools.cycle(range(len(BACKENDS)))
LOCK = threading.Lock()
HOP = {"connection", "keep-alive", "transfer-encoding", "te", "upgrade", "proxy-connection"}


class Proxy(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def forward(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
        headers["X-Forwarded-For"] = self.client_address[0]
        with LOCK:
            first = next(NEXT)
        for i in range(len(BACKENDS)):
            port = BACKENDS[(first + i) % len(BACKENDS)]
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                conn.request(self.command, self.path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
            except OSError:
                continue
            self.send_response(resp.status)
            for k, v in resp.getheaders():
                if k.lower() not in HOP and k.lower() != "content-length":
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("X-Backend", str(port))
            self.end_headers()
            self.wfile.write(data)
            conn.close()
            return
        self.send_response(502)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST = do_HEAD = forward


ThreadingHTTPServer(("127.0.0.1", PORT), Proxy).serve_forever()
