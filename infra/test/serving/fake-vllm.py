"""A stand-in for `vllm serve <model> --port N …` in the serve entrypoint's test: after a load delay it answers
GET /health with 200 on that port, and prints when it starts and stops."""

import sys
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

args = sys.argv[1:]
port = int(args[args.index("--port") + 1])
print(f"fake-vllm {args[1]} loading on {port}", flush=True)
time.sleep(0.6)


class H(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if self.path == "/health" else 404)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *a):
        pass


HTTPServer(("127.0.0.1", port), H).serve_forever()
