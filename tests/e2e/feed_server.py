#!/usr/bin/env python3
"""A local feed server for the end-to-end sync tests: Hugging Face daily-papers days from the fixtures.

Usage: feed_server.py DATA_DIR CONTROL_DIR
Prints the port it listens on (127.0.0.1, chosen by the kernel), then serves until killed.
GET /api/daily_papers?date=DAY answers with the fixture mapped to DAY below, [] for other days.
Faults, decided per request by files in CONTROL_DIR: fail-DAY (500), slow-DAY (waits 30 s first).
Every request is appended to CONTROL_DIR/requests.log.
"""
import http.server
import os
import sys
import time
import urllib.parse

DATA, CONTROL = sys.argv[1], sys.argv[2]
DAYS = {
    "2024-05-28": "feeds/hf/2024-05-28.json",
    "2024-05-29": "feeds/hf/2025-07-22.json",
    "2024-05-30": "feeds/hf/2026-08-21.json",
}


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        day = urllib.parse.parse_qs(url.query).get("date", [""])[0]
        with open(os.path.join(CONTROL, "requests.log"), "a") as log:
            log.write(self.path + "\n")
        if url.path != "/api/daily_papers":
            self.send_error(404)
            return
        if os.path.exists(os.path.join(CONTROL, "slow-" + day)):
            time.sleep(30)
        if os.path.exists(os.path.join(CONTROL, "fail-" + day)):
            self.send_error(500)
            return
        body = b"[]"
        if day in DAYS:
            with open(os.path.join(DATA, DAYS[day]), "rb") as f:
                body = f.read()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
