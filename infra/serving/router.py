"""The SageMaker container's HTTP face: GET /ping and POST /invocations on 8080 (the hosting contract).

An invocation holds several sub-requests (embed / chat / classify); each goes to the OpenAI-compatible upstream
serving that model inside the image (vLLM for Qwen3-8B and Qwen3-Embedding-8B, vLLM's classify runner for the
FinBERT-class model), in parallel, and the answer lists each upstream's status and JSON body. The payload's shape
is the JSON Schema in invocation.schema.json, generated from the zod schema the client uses
(packages/common/src/inference/schema.ts); this module reads its limits, kinds and upstream paths from that file.

Standard library only: the image's Python runs it next to vLLM, and tests run it as a plain process.
"""

import json
import os
import re
import sys
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))


def load_contract(path=os.path.join(HERE, "invocation.schema.json")):
    with open(path, encoding="utf-8") as f:
        schema = json.load(f)
    req = schema["$defs"]["request"]
    requests = req["properties"]["requests"]
    item = requests["items"]
    return {
        "version": req["properties"]["version"]["const"],
        "min": requests.get("minItems", 1),
        "max": requests.get("maxItems", 256),
        "kinds": item["properties"]["kind"]["enum"],
        "id_pattern": re.compile(item["properties"]["id"]["pattern"]),
        "paths": schema["x-upstream-paths"],
    }


CONTRACT = load_contract()


def upstreams_from_env(env=os.environ):
    """Base URL of each kind's upstream, e.g. CALLTHEMES_UPSTREAM_CHAT=http://127.0.0.1:8001."""
    defaults = {"chat": "http://127.0.0.1:8001", "embed": "http://127.0.0.1:8002", "classify": "http://127.0.0.1:8003"}
    return {k: env.get(f"CALLTHEMES_UPSTREAM_{k.upper()}", defaults[k]).rstrip("/") for k in CONTRACT["kinds"]}


def validate(payload):
    """None when the payload follows the contract, else the first problem (the 400 answer's message)."""
    c = CONTRACT
    if not isinstance(payload, dict):
        return "the invocation must be a JSON object"
    if payload.get("version") != c["version"]:
        return f"version must be {c['version']}"
    reqs = payload.get("requests")
    if not isinstance(reqs, list) or not (c["min"] <= len(reqs) <= c["max"]):
        return f"requests must be a list of {c['min']} to {c['max']} sub-requests"
    seen = set()
    for i, r in enumerate(reqs):
        if not isinstance(r, dict):
            return f"requests[{i}] must be an object"
        rid = r.get("id")
        if not isinstance(rid, str) or not c["id_pattern"].fullmatch(rid):
            return f"requests[{i}].id is missing or malformed"
        if rid in seen:
            return f"requests[{i}].id {rid} is repeated"
        seen.add(rid)
        if r.get("kind") not in c["kinds"]:
            return f"requests[{i}].kind must be one of {', '.join(c['kinds'])}"
        if not isinstance(r.get("body"), dict):
            return f"requests[{i}].body must be an object"
    return None


def healthy(base, timeout=1.5):
    """An upstream is up when it answers HTTP at all below 500 (vLLM's /health is 200 once its model is loaded;
    before that it does not listen)."""
    try:
        with urllib.request.urlopen(f"{base}/health", timeout=timeout) as r:
            return r.status < 500
    except urllib.error.HTTPError as e:
        return e.code < 500
    except Exception:
        return False


class Router:
    def __init__(self, upstreams, timeout=900, workers=32):
        self.upstreams = upstreams
        self.timeout = timeout
        self.pool = ThreadPoolExecutor(max_workers=workers)
        # /ping has its own threads: SageMaker gives it 2 s and replaces an instance that fails it, so it must
        # never queue behind invocations (each up to `timeout` s) on the forwarding pool.
        self.health_pool = ThreadPoolExecutor(max_workers=len(upstreams))

    def ready(self):
        # /ping has 2 s: check the upstreams in parallel.
        return all(self.health_pool.map(healthy, self.upstreams.values()))

    def forward(self, sub):
        url = self.upstreams[sub["kind"]] + CONTRACT["paths"][sub["kind"]]
        data = json.dumps(sub["body"]).encode("utf-8")
        req = urllib.request.Request(url, data=data, method="POST", headers={"content-type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as r:
                status, text = r.status, r.read().decode("utf-8")
        except urllib.error.HTTPError as e:
            status, text = e.code, e.read().decode("utf-8", "replace")
        except Exception as e:  # unreachable or timed out: the client sees a 502 for this sub-request only
            return {"id": sub["id"], "kind": sub["kind"], "status": 502, "body": {"error": f"upstream {sub['kind']}: {e}"}}
        try:
            body = json.loads(text)
        except ValueError:
            body = {"error": text[:500]}
        return {"id": sub["id"], "kind": sub["kind"], "status": status, "body": body}

    def invoke(self, payload):
        responses = list(self.pool.map(self.forward, payload["requests"]))
        return {"version": CONTRACT["version"], "responses": responses}


def make_handler(router):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):  # quiet: SageMaker ships stdout to CloudWatch
            if os.environ.get("CALLTHEMES_ROUTER_LOG") == "1":
                sys.stderr.write("router: " + fmt % args + "\n")

        def send(self, status, obj):
            data = json.dumps(obj).encode("utf-8")
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            if self.path != "/ping":
                return self.send(404, {"error": "not found"})
            ok = router.ready()
            self.send(200 if ok else 503, {"status": "healthy" if ok else "loading"})

        def do_POST(self):
            if self.path != "/invocations":
                return self.send(404, {"error": "not found"})
            n = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(n)
            try:
                payload = json.loads(raw.decode("utf-8"))
            except ValueError:
                return self.send(400, {"error": "the invocation is not JSON"})
            problem = validate(payload)
            if problem:
                return self.send(400, {"error": problem})
            self.send(200, router.invoke(payload))

    return Handler


def start(port, upstreams, host="0.0.0.0"):
    """The router's server, serving on a thread; returns (server, thread)."""
    server = ThreadingHTTPServer((host, port), make_handler(Router(upstreams)))
    server.daemon_threads = True
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    return server, t
