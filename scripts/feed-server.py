#!/usr/bin/env python3
"""A local feed server over the bundled fixtures (data/feeds/), for the sync tests and scripts/nightly-demo.

Usage: scripts/feed-server.py DATA_DIR CONTROL_DIR
Prints the port it listens on (127.0.0.1, chosen by the kernel), then serves until killed. Every request
is appended to CONTROL_DIR/requests.log.

  GET /api/daily_papers?date=DAY   Hugging Face daily papers: the fixture mapped to DAY in DAYS below,
                                   [] for other days
  GET /oai?verb=ListRecords&...    arXiv OAI-PMH: the two fixture pages, joined by a resumption token,
                                   when the from..until window holds OAI_DAY; noRecordsMatch otherwise
  GET /translations/zh.jsonl       a translation export (record format): the fixture once CONTROL_DIR
                                   has a file `zh-published`, an empty file before

Faults and changes, decided per request by files in CONTROL_DIR:
  fail-DAY     the day answers 500
  slow-DAY     the day waits 30 s before answering
  delay-DAY    the day waits as many seconds as the file says (a decimal number) before answering
  cut-DAY      the day's body stops half-way (the Content-Length promises all of it)
  broken-DAY   the day answers a broken day of the real API (a wrapper object of Python-repr strings)
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
    # Real answers of the API for these days: a wrapper object, then "no_data" twice, then papers.
    "2025-01-10": "feeds/hf/malformed-2025-01-10-wrapper.json",
    "2025-01-11": "feeds/hf/malformed-2025-01-11-no-data.json",
    "2025-01-12": "feeds/hf/malformed-2025-01-11-no-data.json",
    "2025-01-13": "feeds/hf/2025-01-13.json",
}
BROKEN = "feeds/hf/malformed-2025-01-10-wrapper.json"
OAI_DAY = "2025-01-13"
OAI_TOKEN = "6960524|1001"  # the token on the first page


def control(name):
    return os.path.join(CONTROL, name)


def read(path):
    with open(os.path.join(DATA, path), "rb") as f:
        return f.read()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, body, content_type, status=200, cut=False):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if cut:
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        query = urllib.parse.parse_qs(url.query)
        with open(control("requests.log"), "a") as log:
            log.write(self.path + "\n")
        if url.path == "/api/daily_papers":
            self.daily_papers(query.get("date", [""])[0])
        elif url.path == "/oai":
            self.oai(query)
        elif url.path == "/translations/zh.jsonl":
            body = read("feeds/translations/zh-2025-01-13.jsonl") if os.path.exists(control("zh-published")) else b""
            self.answer(body, "application/jsonl")
        else:
            self.send_error(404)

    def daily_papers(self, day):
        if os.path.exists(control("slow-" + day)):
            time.sleep(30)
        if os.path.exists(control("delay-" + day)):
            with open(control("delay-" + day)) as f:
                time.sleep(float(f.read().strip() or 0))
        if os.path.exists(control("fail-" + day)):
            self.send_error(500)
            return
        body = b"[]"
        if os.path.exists(control("broken-" + day)):
            body = read(BROKEN)
        elif day in DAYS:
            body = read(DAYS[day])
        self.answer(body, "application/json", cut=os.path.exists(control("cut-" + day)))

    def oai(self, query):
        token = query.get("resumptionToken", [None])[0]
        if token is not None:
            page = "feeds/oai/listrecords-page2-hep-th.xml" if token == OAI_TOKEN else "feeds/oai/error-badResumptionToken.xml"
        elif query.get("from", [""])[0] <= OAI_DAY <= query.get("until", ["9999"])[0]:
            page = "feeds/oai/listrecords-page1-hep-ex.xml"
        else:
            page = "feeds/oai/error-noRecordsMatch.xml"
        self.answer(read(page), "text/xml")


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
print(server.server_address[1], flush=True)
server.serve_forever()
