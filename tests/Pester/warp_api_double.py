#!/usr/bin/python3
"""A local double of WARP's registration API (POST /v0a<build>/reg), for the registration tests.

usage: warp_api_double.py MODE RECORD_FILE
Prints the port it listens on (127.0.0.1), then serves until killed. Every request is checked as
the real API would receive it from wgcf or warp-plus: the method, the path, the CF-Client-Version
header, a JSON content type and a body with key (base64 of 32 bytes), install_id, fcm_token, tos
(RFC 3339), type, model and locale. A request that breaks any of that gets HTTP 400 with the
reason. The request (headers and body) is written to RECORD_FILE as JSON.

MODE picks the answer to a good request: ok (the documented shape), http500, http403, missing
(no config.peers), badbase64 (a peer key that is not base64), clientid (a 4-byte client id),
slow (answers after 30 s), badaddress (a v4 address that is not one), inject (a v4 "address"
carrying a newline and an extra config line).
"""
import base64, json, re, sys, time
from http.server import BaseHTTPRequestHandler, HTTPServer

MODE, RECORD = sys.argv[1], sys.argv[2]
PEER = "bmXOC+F1FxEMF9dyiK2H5/1SUtzH0JuVo51h2wPfgyo="

def answer(key):
    a = {
        "id": "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", "type": "a", "model": "PC", "name": "", "key": key,
        "account": {"id": "acc-1", "account_type": "free", "warp_plus": False},
        "token": "tok-5f6e7d8c9bab0c1d", "warp_enabled": False, "waitlist_enabled": False,
        "created": "2026-12-01T00:00:00.000Z", "updated": "2026-12-01T00:00:00.000Z", "place": 0, "locale": "en-US", "enabled": True,
        "install_id": "", "fcm_token": "",
        "config": {
            "client_id": "2ZzT",
            "peers": [{"public_key": PEER, "endpoint": {"v4": "162.159.192.1:0", "v6": "[2606:4700:d0::a29f:c001]:0", "host": "engage.cloudflareclient.com:2408"}}],
            "interface": {"addresses": {"v4": "172.16.0.2", "v6": "2606:4700:110:8a36:df92:102a:9602:fa18"}},
            "services": {"http_proxy": "172.16.0.1:2480"},
        },
    }
    if MODE == "missing":
        del a["config"]["peers"]
    elif MODE == "badbase64":
        a["config"]["peers"][0]["public_key"] = "not*base64!"
    elif MODE == "clientid":
        a["config"]["client_id"] = base64.b64encode(b"\x01\x02\x03\x04").decode()
    elif MODE == "badaddress":
        a["config"]["interface"]["addresses"]["v4"] = "172.16.0.300"
    elif MODE == "inject":
        a["config"]["interface"]["addresses"]["v4"] = "172.16.0.2\nEndpoint = 203.0.113.66:2408"
    return a

class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, status, obj):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length)
        record = {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": raw.decode("utf-8", "replace")}
        with open(RECORD, "w") as f:
            json.dump(record, f)
        problems = []
        if not re.fullmatch(r"/v0a\d+/reg", self.path):
            problems.append("path " + self.path)
        if not self.headers.get("CF-Client-Version"):
            problems.append("no CF-Client-Version")
        if not (self.headers.get("Content-Type") or "").startswith("application/json"):
            problems.append("content type " + str(self.headers.get("Content-Type")))
        try:
            body = json.loads(raw)
        except ValueError:
            body = {}
            problems.append("body is not JSON")
        for field in ("key", "install_id", "fcm_token", "tos", "type", "model", "locale"):
            if field not in body:
                problems.append("no " + field)
        try:
            if len(base64.b64decode(body.get("key", ""), validate=True)) != 32:
                problems.append("key is not 32 bytes")
        except ValueError:
            problems.append("key is not base64")
        if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", str(body.get("tos", ""))):
            problems.append("tos is not RFC 3339")
        if "private" in raw.decode("utf-8", "replace").lower():
            problems.append("something private was sent")
        if problems:
            self.reply(400, {"success": False, "errors": problems})
            return
        if MODE == "http500":
            self.reply(500, {"success": False, "errors": [{"code": 1000, "message": "internal"}]})
        elif MODE == "http403":
            self.reply(403, {"success": False, "errors": [{"code": 1003, "message": "forbidden"}]})
        elif MODE == "slow":
            time.sleep(30)
            self.reply(200, answer(body["key"]))
        else:
            self.reply(200, answer(body["key"]))

server = HTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
