#!/usr/bin/env python3
"""Re-captures spec/mage/observed/: the real Mage server's answers, one JSON file per case.

Python 3.10+, standard library only.

    python3 scripts/mage_server.py install
    python3 scripts/mage_capture.py [--out spec/mage/observed]

Starts its own fresh server with scripts/mage_server.py (temp copy of tests/mage/project), runs
the cases below in order against it, writes `<out>/<case>.json` for each, and `<out>/summary.json`
(timings), then stops the server. The last cases poison the server's backfill table on purpose
(an interval_type outside the enum is stored and then every backfill read fails), so the server is
never reused.

Each case file:

    {"case": ..., "description": ..., "requested_at_utc": "<client clock, UTC, RFC 3339>",
     "request": {"method", "path", "headers": {name: what was sent}, "body"},
     "response": {"status", "content_type", "body"}}

Header values are named, not copied ("<api key>", "<oauth token of admin>", ...); bodies are
verbatim (tokens of the throwaway server included). Progressions (a backfill driven to completion,
cancel, failure) are one file each with the polled states and their times.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
import mage_server  # noqa: E402

API_KEY = mage_server.API_KEY
POLL = 0.2

SLOW_BLOCK = (
    "import time\n\n\n@data_loader\ndef load(*args, **kwargs):\n    time.sleep(6)\n    return [1]\n"
)
FAIL_BLOCK = (
    "@data_loader\ndef load(*args, **kwargs):\n"
    "    if kwargs['ds'] == '2023-01-02':\n        raise ValueError('boom')\n    return [1]\n"
)


def utcnow() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def jwt_payload(jwt: str) -> dict:
    part = jwt.split(".")[1]
    part += "=" * (-len(part) % 4)
    return json.loads(base64.urlsafe_b64decode(part))


class Capture:
    def __init__(self, url: str, out: Path):
        self.url = url
        self.out = out
        self.token: str | None = None  # inner OAuth token of admin
        self.jwt: str | None = None
        self.cases: list[str] = []

    # -------------------------------------------------------------- raw HTTP

    def raw(self, method: str, path: str, body=None, headers: dict | None = None):
        data = json.dumps(body).encode() if body is not None else None
        h = {"Content-Type": "application/json"} if data is not None else {}
        h.update(headers or {})
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=h)
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                raw, status, ct = r.read(), r.status, r.headers.get("Content-Type")
        except urllib.error.HTTPError as e:
            raw, status, ct = e.read(), e.code, e.headers.get("Content-Type")
        try:
            parsed = json.loads(raw)
        except ValueError:
            parsed = raw.decode(errors="replace")
        return status, ct, parsed

    def auth_headers(self, auth: str, token: str | None = None) -> tuple[dict, dict]:
        """(headers to send, how to describe them in the file)."""
        sent, shown = {}, {}
        if auth in ("key", "both"):
            sent["X-API-KEY"] = API_KEY
            shown["X-API-KEY"] = "<api key>"
        if auth == "both":
            sent["OAUTH-TOKEN"] = token or self.token
            shown["OAUTH-TOKEN"] = "<oauth token of admin>" if token is None else "<oauth token of editor>"
        return sent, shown

    def call(self, case: str | None, description: str, method: str, path: str, body=None,
             auth: str = "both", headers: dict | None = None, shown_headers: dict | None = None,
             token: str | None = None, extra: dict | None = None):
        sent, shown = self.auth_headers(auth, token)
        sent.update(headers or {})
        shown.update(shown_headers or {k: v for k, v in (headers or {}).items()})
        at = utcnow()
        status, ct, parsed = self.raw(method, path, body, sent)
        record = {
            "case": case,
            "description": description,
            "requested_at_utc": at,
            "request": {"method": method, "path": path, "headers": shown, "body": body},
            "response": {"status": status, "content_type": ct, "body": parsed},
        }
        if extra:
            record.update(extra)
        if case:
            self.write(case, record)
        return status, parsed

    def write(self, case: str, record: dict) -> None:
        if case in self.cases:
            raise RuntimeError(f"case {case} written twice")
        self.cases.append(case)
        (self.out / f"{case}.json").write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n")
        resp = record.get("response") or {}
        err = isinstance(resp.get("body"), dict) and "error" in resp["body"]
        print(f"[mage_capture] {case}: {resp.get('status', '')}{' error' if err else ''}", file=sys.stderr)

    def get(self, path: str, token: str | None = None):
        sent, _ = self.auth_headers("both", token)
        return self.raw("GET", path, None, sent)[2]

    def login(self, email: str, password: str) -> tuple[str, str]:
        _, _, b = self.raw("POST", "/api/sessions", {"session": {"email": email, "password": password}},
                           {"X-API-KEY": API_KEY})
        jwt = b["session"]["token"]
        return jwt, jwt_payload(jwt)["token"]

    # -------------------------------------------------------------- helpers

    def snapshot(self, bid: int) -> dict:
        bf = self.get(f"/api/backfills/{bid}?include_run_count=true")["backfill"]
        runs = self.get(f"/api/pipeline_runs?backfill_id={bid}")["pipeline_runs"]
        return {
            "backfill_status": bf["status"],
            "run_status_counts": bf.get("run_status_counts"),
            "total_run_count": bf.get("total_run_count"),
            "pipeline_runs": [
                {"id": r["id"], "execution_date": r["execution_date"], "status": r["status"],
                 "block_runs": [br["status"] for br in r["block_runs"]]}
                for r in runs
            ],
        }

    def poll(self, bid: int, t0: float, until, timeout: float = 90.0) -> list[dict]:
        """Polls the backfill and its runs; records every change of state until `until(snap)`."""
        states, last = [], None
        deadline = time.monotonic() + timeout
        while True:
            snap = self.snapshot(bid)
            key = json.dumps(snap, sort_keys=True)
            if key != last:
                states.append({"t_seconds": round(time.monotonic() - t0, 2), "at_utc": utcnow(), **snap})
                last = key
            if until(snap) or time.monotonic() > deadline:
                return states
            time.sleep(POLL)

    # -------------------------------------------------------------- cases

    def run(self) -> dict:
        summary: dict = {}
        c = self.call

        # ---- status and sessions
        c("status", "GET /api/status needs no authentication (the harness polls it for readiness).",
          "GET", "/api/status", auth="none")
        at_login = utcnow()
        status, body = c("login_ok", "Owner login. session.token is a JWT (HS256, Mage's default JWT_SECRET) whose "
                         "payload holds the OAuth token to send as OAUTH-TOKEN; expires is zone-less UTC, 30 days on.",
                         "POST", "/api/sessions",
                         {"session": {"email": "admin@admin.com", "password": "admin"}}, auth="key")
        self.jwt = body["session"]["token"]
        self.token = jwt_payload(self.jwt)["token"]
        rec = json.loads((self.out / "login_ok.json").read_text())
        rec["decoded_jwt_payload"] = jwt_payload(self.jwt)
        rec["decoded_jwt_payload_expires_utc"] = datetime.fromtimestamp(
            rec["decoded_jwt_payload"]["expires"], timezone.utc).isoformat()
        rec["client_clock_at_login_utc"] = at_login
        (self.out / "login_ok.json").write_text(json.dumps(rec, indent=2, ensure_ascii=False) + "\n")
        c("login_bad_password", "Wrong password: HTTP 200, error record_not_found (code 404).",
          "POST", "/api/sessions", {"session": {"email": "admin@admin.com", "password": "wrong"}}, auth="key")
        c("login_missing_password", "No password.", "POST", "/api/sessions",
          {"session": {"email": "admin@admin.com"}}, auth="key")
        c("login_no_api_key", "No API key at all: HTTP 401 invalid_api_key.", "POST", "/api/sessions",
          {"session": {"email": "admin@admin.com", "password": "admin"}}, auth="none")
        c("login_api_key_in_body", "POST without X-API-KEY: the server reads `api_key` from the JSON body.",
          "POST", "/api/sessions",
          {"api_key": API_KEY, "session": {"email": "admin@admin.com", "password": "admin"}}, auth="none")
        c("login_api_key_in_query", "POST with ?api_key= and no header: the query parameter is ignored on "
          "a POST with a JSON body (the server looks in the body).",
          "POST", f"/api/sessions?api_key={API_KEY}",
          {"session": {"email": "admin@admin.com", "password": "admin"}}, auth="none")

        # ---- authentication failures on a normal endpoint
        c("auth_bad_api_key", "Unknown API key: HTTP 401 invalid_api_key (body status says 200).",
          "GET", "/api/backfills", auth="none", headers={"X-API-KEY": "not-a-key"})
        c("auth_no_api_key", "No API key, valid token: HTTP 401 invalid_api_key.", "GET", "/api/backfills",
          auth="none", headers={"OAUTH-TOKEN": self.token}, shown_headers={"OAUTH-TOKEN": "<oauth token of admin>"})
        c("auth_no_token", "API key but no token: HTTP 200 with error unauthorized_access (code 403).",
          "GET", "/api/backfills", auth="key")
        c("auth_bad_token", "API key and an unknown OAUTH-TOKEN: HTTP 401 invalid_oauth_token.",
          "GET", "/api/backfills", auth="key", headers={"OAUTH-TOKEN": "not-a-token"})
        c("auth_bearer_oauth_token", "Authorization: Bearer <inner OAuth token> works like OAUTH-TOKEN.",
          "GET", "/api/backfills", auth="key", headers={"Authorization": "Bearer " + self.token},
          shown_headers={"Authorization": "Bearer <oauth token of admin>"})
        c("auth_bearer_jwt", "Authorization: Bearer <session JWT> is refused (the JWT is not the token).",
          "GET", "/api/backfills", auth="key", headers={"Authorization": "Bearer " + self.jwt},
          shown_headers={"Authorization": "Bearer <session JWT>"})
        c("auth_cookie_jwt", "Cookie oauth_token=<session JWT> (what the web UI does) is accepted.",
          "GET", "/api/backfills", auth="key", headers={"Cookie": "oauth_token=" + self.jwt},
          shown_headers={"Cookie": "oauth_token=<session JWT>"})
        c("auth_api_key_query_get", "GET with ?api_key= instead of the header works.",
          "GET", f"/api/backfills?api_key={API_KEY}", auth="none",
          headers={"OAUTH-TOKEN": self.token}, shown_headers={"OAUTH-TOKEN": "<oauth token of admin>"})

        # ---- pipelines and blocks
        c("pipeline_list", "GET /api/pipelines: metadata count (total), results (page size), next (null "
          "without _limit).", "GET", "/api/pipelines")
        c("pipeline_get", "The committed fixture pipeline bf_test (created_at null: its metadata.yaml has "
          "none; updated_at is the file's mtime, ISO 8601).", "GET", "/api/pipelines/bf_test")
        c("pipeline_get_missing", "Unknown pipeline: HTTP 200, a code-500 error with a Python traceback "
          "(no `type`).", "GET", "/api/pipelines/no_such_pipeline")
        c("pipeline_create", "Create a python pipeline; the uuid is derived from the name.",
          "POST", "/api/pipelines", {"pipeline": {"name": "bf slow", "type": "python"}})
        c("pipeline_create_duplicate", "Same name again: code-500 error.",
          "POST", "/api/pipelines", {"pipeline": {"name": "bf slow", "type": "python"}})
        c("block_create", "Add a python data_loader block (sleeps 6 s) to bf_slow.",
          "POST", "/api/pipelines/bf_slow/blocks",
          {"block": {"name": "sleepy", "type": "data_loader", "language": "python", "content": SLOW_BLOCK}})
        c("pipeline_list_limit1", "_limit=1 over 2 pipelines.", "GET", "/api/pipelines?_limit=1&_offset=0")

        # ---- backfills: create, list, paginate
        c("backfill_list_empty", "No backfills yet.", "GET",
          "/api/backfills?_limit=20&_offset=0&include_run_count=true")
        _, b = c("backfill_create", "Create with only a name (all a non-owner may send on create).",
                 "POST", "/api/pipelines/bf_test/backfills", {"backfill": {"name": "b1"}})
        b1 = b["backfill"]["id"]
        _, b = c(None, "", "POST", "/api/pipelines/bf_test/backfills", {"backfill": {"name": "b2"}})
        b2 = b["backfill"]["id"]
        _, b = c(None, "", "POST", "/api/pipelines/bf_test/backfills", {"backfill": {"name": "b3"}})
        b3 = b["backfill"]["id"]
        c("backfill_list_items", "Three backfills, ordered by created_at desc (1-second resolution: these "
          "were created in the same second and come in id order).",
          "GET", "/api/backfills?pipeline_uuid=bf_test")
        for off in (0, 1, 2):
            c(f"backfill_list_limit1_offset{off}", "Pagination: count is the total, next says whether "
              "more items follow this page.", "GET",
              f"/api/backfills?pipeline_uuid=bf_test&_limit=1&_offset={off}")
        c("backfill_list_other_pipeline", "pipeline_uuid filter with no match.",
          "GET", "/api/backfills?pipeline_uuid=bf_slow")

        # ---- updates and datetime forms
        c("backfill_update_dates", "Set the range: 'YYYY-MM-DD HH:MM:SS' form, 3 daily intervals "
          "(end inclusive).", "PUT", f"/api/backfills/{b1}",
          {"backfill": {"start_datetime": "2023-01-01 00:00:00", "end_datetime": "2023-01-03 00:00:00",
                        "interval_type": "day", "interval_units": 1}})
        c("backfill_update_dates_rfc3339", "RFC 3339 with Z is accepted (parsed by dateutil).",
          "PUT", f"/api/backfills/{b2}",
          {"backfill": {"start_datetime": "2023-01-01T00:00:00Z", "end_datetime": "2023-01-03T00:00:00Z",
                        "interval_type": "day", "interval_units": 1, "variables": {"x": 1}}})
        c("backfill_update_dates_offset", "A non-UTC offset is DROPPED, not converted: +02:00 midnight is "
          "stored as 00:00 (the wall time), 2 h off.", "PUT", f"/api/backfills/{b3}",
          {"backfill": {"start_datetime": "2023-01-01T00:00:00+02:00", "end_datetime": "2023-01-03T00:00:00+02:00",
                        "interval_type": "day", "interval_units": 1}})
        c("backfill_get_run_count", "include_run_count before start: total_run_count = intervals, "
          "run_status_counts {}.", "GET", f"/api/backfills/{b1}?include_run_count=true")
        c("backfill_get_preview_runs_limit1", "include_preview_runs with _limit=1: pipeline_run_dates "
          "returns _limit+1 entries (slice [offset, offset+limit+1)).", "GET",
          f"/api/backfills/{b1}?include_preview_runs=true&_limit=1&_offset=0")
        c("backfill_get_plain", "Without include_*: no total_run_count / run_status_counts keys.",
          "GET", f"/api/backfills/{b2}")
        c("backfill_list_run_count", "include_run_count on the list.", "GET",
          "/api/backfills?pipeline_uuid=bf_test&include_run_count=true")
        c("backfill_list_preview_runs", "include_preview_runs on the list (owner only; a non-owner gets "
          "403). Without _limit the default page size (40) also bounds pipeline_run_dates.", "GET",
          "/api/backfills?pipeline_uuid=bf_test&include_preview_runs=true&_limit=1")
        c("backfill_update_status_running_ignored", "Only 'initial' and 'cancelled' act; any other status "
          "value (here 'running') is silently ignored.", "PUT", f"/api/backfills/{b2}",
          {"backfill": {"status": "running"}})
        c("backfill_update_status_bogus_ignored", "Not an enum value: ignored too, no error.",
          "PUT", f"/api/backfills/{b2}", {"backfill": {"status": "bogus"}})
        c("backfill_update_unknown_field", "Unknown attributes are dropped silently (owner).",
          "PUT", f"/api/backfills/{b2}", {"backfill": {"name": "b2-renamed", "foo": "bar"}})

        # ---- start and drive to completion
        t0 = time.monotonic()
        c("backfill_start", "status 'initial' starts it: 3 pipeline runs and a pipeline schedule "
          "('Backfill <name>') are created at once.", "PUT", f"/api/backfills/{b1}",
          {"backfill": {"status": "initial"}})
        states = self.poll(b1, t0, lambda s: s["backfill_status"] in ("completed", "failed", "cancelled"))
        e2e = time.monotonic() - t0
        final = self.get(f"/api/backfills/{b1}?include_run_count=true")
        self.write("backfill_completed", {
            "case": "backfill_completed",
            "description": f"Backfill b1 (3 daily intervals of bf_test) from PUT status=initial to "
                           f"status completed, polled every {POLL}s; SCHEDULER_TRIGGER_INTERVAL=1.",
            "seconds_start_to_completed": round(e2e, 2),
            "progression": states,
            "final_backfill": final,
        })
        summary["backfill_start_to_completed_seconds"] = round(e2e, 2)
        c("pipeline_runs_of_backfill", "Runs of the backfill, newest execution_date first.",
          "GET", f"/api/pipeline_runs?backfill_id={b1}&_limit=40&_offset=0")
        c("pipeline_runs_of_backfill_limit1", "_limit=1 over 3 runs.", "GET",
          f"/api/pipeline_runs?backfill_id={b1}&_limit=1&_offset=0")
        c("pipeline_runs_status_filter", "status filter.", "GET",
          f"/api/pipeline_runs?backfill_id={b1}&status=failed")
        c("backfill_get_completed", "The completed backfill with run counts.", "GET",
          f"/api/backfills/{b1}?include_run_count=true")

        # ---- restart a completed backfill
        t0 = time.monotonic()
        c("backfill_restart_completed", "status 'initial' on a completed backfill is allowed: 3 NEW runs "
          "(same schedule); started_at reset, completed_at kept until it completes again.",
          "PUT", f"/api/backfills/{b1}", {"backfill": {"status": "initial"}})
        states = self.poll(b1, t0, lambda s: s["backfill_status"] == "completed"
                           and all(r["status"] == "completed" for r in s["pipeline_runs"]))
        self.write("backfill_restart_completed_progression", {
            "case": "backfill_restart_completed_progression",
            "description": "After the restart: 6 runs (2 per execution_date); run_status_counts counts the "
                           "newest run per execution_date only, total_run_count stays 3.",
            "progression": states,
            "pipeline_runs": self.get(f"/api/pipeline_runs?backfill_id={b1}"),
        })

        # ---- start/cancel errors
        _, b = c(None, "", "POST", "/api/pipelines/bf_test/backfills", {"backfill": {"name": "b4"}})
        b4 = b["backfill"]["id"]
        c("backfill_start_without_dates", "Start with no range: code-500 error (TypeError comparing None).",
          "PUT", f"/api/backfills/{b4}", {"backfill": {"status": "initial"}})
        c("backfill_cancel_never_started", "Cancel a never-started backfill: code-500 error (it has no "
          "pipeline schedule) ...", "PUT", f"/api/backfills/{b4}", {"backfill": {"status": "cancelled"}})
        c("backfill_after_cancel_never_started", "... yet the status was saved as cancelled.",
          "GET", f"/api/backfills/{b4}")
        _, b = c("backfill_create_end_before_start", "end before start is accepted ...",
                 "POST", "/api/pipelines/bf_test/backfills",
                 {"backfill": {"name": "reversed", "start_datetime": "2023-01-03 00:00:00",
                               "end_datetime": "2023-01-01 00:00:00", "interval_type": "day",
                               "interval_units": 1}})
        brev = b["backfill"]["id"]
        c(None, "", "PUT", f"/api/backfills/{brev}", {"backfill": {"status": "initial"}})
        time.sleep(3)
        c("backfill_end_before_start_after_start", "... and starting it creates no run: status stays "
          "'initial' forever, total_run_count 0, no schedule.", "GET",
          f"/api/backfills/{brev}?include_run_count=true")
        _, b = c("backfill_create_custom_interval", "interval_type custom: interval_units is in seconds.",
                 "POST", "/api/pipelines/bf_test/backfills",
                 {"backfill": {"name": "hourly", "start_datetime": "2023-01-01 00:00:00",
                               "end_datetime": "2023-01-01 02:00:00", "interval_type": "custom",
                               "interval_units": 3600}})
        c("backfill_custom_interval_preview", "3 hourly run dates.", "GET",
          f"/api/backfills/{b['backfill']['id']}?include_preview_runs=true")
        c("backfill_create_no_envelope", "A body without the resource envelope creates an unnamed backfill "
          "(the server reads payload['backfill'] or {}).", "POST", "/api/pipelines/bf_test/backfills",
          {"name": "flat"})

        # ---- cancel while running (bf_slow: block sleeps 6 s)
        _, b = c("backfill_create_all_fields", "As the owner, create accepts every writable field at once "
                 "(non-owners: only name).", "POST", "/api/pipelines/bf_slow/backfills",
                 {"backfill": {"name": "slow", "start_datetime": "2023-01-01 00:00:00",
                               "end_datetime": "2023-01-03 00:00:00", "interval_type": "day",
                               "interval_units": 1}})
        bs = b["backfill"]["id"]
        t0 = time.monotonic()
        c(None, "", "PUT", f"/api/backfills/{bs}", {"backfill": {"status": "initial"}})
        before = self.poll(bs, t0, lambda s: s["pipeline_runs"] and all(
            r["status"] == "running" and r["block_runs"] == ["running"] for r in s["pipeline_runs"]))
        t_cancel = time.monotonic()
        c("backfill_cancel_running", "Cancel while all 3 runs' blocks are running.", "PUT",
          f"/api/backfills/{bs}", {"backfill": {"status": "cancelled"}})
        after = self.poll(bs, t0, lambda s: all(r["block_runs"] == ["completed"] for r in s["pipeline_runs"]),
                          timeout=30)
        self.write("backfill_cancel_progression", {
            "case": "backfill_cancel_progression",
            "description": "Pipeline runs become 'cancelled' at once, but their block processes are not "
                           "stopped: the 6 s blocks run to the end and their block runs end 'completed'.",
            "seconds_start_to_all_running": round(t_cancel - t0, 2),
            "before_cancel": before,
            "after_cancel": after,
        })
        c("backfill_restart_cancelled", "A cancelled backfill can be started again (3 new runs) ...",
          "PUT", f"/api/backfills/{bs}", {"backfill": {"status": "initial"}})
        c("backfill_cancel_again", "... and cancelled again.", "PUT", f"/api/backfills/{bs}",
          {"backfill": {"status": "cancelled"}})

        # ---- a failing pipeline
        c(None, "", "POST", "/api/pipelines", {"pipeline": {"name": "bf_fail", "type": "python"}})
        c(None, "", "POST", "/api/pipelines/bf_fail/blocks",
          {"block": {"name": "boom", "type": "data_loader", "language": "python", "content": FAIL_BLOCK}})
        _, b = c(None, "", "POST", "/api/pipelines/bf_fail/backfills",
                 {"backfill": {"name": "f1", "start_datetime": "2023-01-01 00:00:00",
                               "end_datetime": "2023-01-03 00:00:00", "interval_type": "day",
                               "interval_units": 1}})
        bfail = b["backfill"]["id"]
        t0 = time.monotonic()
        c(None, "", "PUT", f"/api/backfills/{bfail}", {"backfill": {"status": "initial"}})
        states = self.poll(bfail, t0, lambda s: s["backfill_status"] in ("completed", "failed")
                           and all(r["status"] in ("completed", "failed") for r in s["pipeline_runs"]))
        self.write("backfill_failed_progression", {
            "case": "backfill_failed_progression",
            "description": "bf_fail raises for ds 2023-01-02: that run fails, the others complete, the "
                           "backfill ends 'failed' (failed_at stays null).",
            "progression": states,
            "final_backfill": self.get(f"/api/backfills/{bfail}?include_run_count=true"),
        })

        # ---- delete
        c("backfill_delete", "DELETE answers with the deleted record.", "DELETE", f"/api/backfills/{b1}")
        c("backfill_get_deleted", "Gone: record_not_found.", "GET", f"/api/backfills/{b1}")
        c("pipeline_runs_of_deleted_backfill", "Its runs are not deleted: none match backfill_id any more "
          "(backfill_id was set to null) ...", "GET", f"/api/pipeline_runs?backfill_id={b1}")
        c("pipeline_runs_of_pipeline_after_delete", "... but they are still listed for the pipeline.",
          "GET", "/api/pipeline_runs?pipeline_uuid=bf_test&disable_retries_grouping=true&_limit=3")

        # ---- missing records
        c("backfill_get_missing", "Missing backfill: HTTP 200, error record_not_found (code 404). The "
          "message is wrong: every login overwrites the shared not-found message.", "GET",
          "/api/backfills/999999")
        c("backfill_get_missing_http_error_codes", "_http_error_codes=true makes the HTTP status the "
          "error's code.", "GET", "/api/backfills/999999?_http_error_codes=true")
        c("backfill_update_missing", "PUT on a missing backfill.", "PUT", "/api/backfills/999999",
          {"backfill": {"name": "x"}})
        c("backfill_delete_missing", "DELETE on a missing backfill.", "DELETE", "/api/backfills/999999")
        c("backfill_create_missing_pipeline", "Create under an unknown pipeline: code-500 error.",
          "POST", "/api/pipelines/no_such_pipeline/backfills", {"backfill": {"name": "x"}})

        # ---- a non-owner (editor) user
        c("user_create_editor", "Create an Editor user (the server answers a code-500 error from a "
          "SQLAlchemy 2 incompatibility, but the user is created).", "POST", "/api/users",
          {"user": {"email": "editor@example.com", "username": "editor", "password": "editor123",
                    "password_confirmation": "editor123", "roles_new": [3]}})
        _, editor = self.login("editor@example.com", "editor123")
        c("editor_backfill_create_name_only", "Editor: create with a name works.", "POST",
          "/api/pipelines/bf_test/backfills", {"backfill": {"name": "by-editor"}}, token=editor)
        c("editor_backfill_create_with_dates", "Editor: any other field on create is refused.", "POST",
          "/api/pipelines/bf_test/backfills",
          {"backfill": {"name": "by-editor-2", "start_datetime": "2023-01-01 00:00:00"}}, token=editor)
        c("editor_backfill_list_preview_runs", "Editor: include_preview_runs is not allowed on the list.",
          "GET", "/api/backfills?include_preview_runs=true", token=editor)

        # ---- pipeline delete
        c("pipeline_delete", "DELETE a pipeline: answers with the deleted pipeline.", "DELETE",
          "/api/pipelines/bf_fail")
        c("backfill_list_after_pipeline_delete", "The deleted pipeline's backfills stay (orphans).",
          "GET", "/api/backfills?pipeline_uuid=bf_fail")
        c("pipeline_delete_missing", "DELETE an unknown pipeline: code-500 error.", "DELETE",
          "/api/pipelines/no_such_pipeline")

        c("backfill_update_bad_datetime", "A datetime dateutil cannot parse: code-500 error, nothing stored.",
          "PUT", f"/api/backfills/{b3}", {"backfill": {"start_datetime": "not a date"}})
        c("backfill_after_bad_datetime", "Unchanged.", "GET", f"/api/backfills/{b3}")

        # ---- last: poison the backfill table (never reuse this server)
        c("backfill_update_invalid_interval_type", "interval_type outside the enum: stored anyway, then the "
          "read-back fails (code-500 LookupError) ...", "PUT", f"/api/backfills/{b2}",
          {"backfill": {"interval_type": "fortnight"}})
        c("backfill_list_after_invalid_interval_type", "... and from then on every read of that row fails, "
          "including the whole list.", "GET", "/api/backfills")
        return summary


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=str(REPO / "spec" / "mage" / "observed"))
    args = ap.parse_args()
    out = Path(args.out)
    work = Path(tempfile.mkdtemp(prefix="mage-capture-"))
    state, envf = work / "state.json", work / "env"
    t0 = time.monotonic()
    r = subprocess.run([sys.executable, str(HERE / "mage_server.py"), "start", "--state", str(state),
                        "--env-file", str(envf)], stdout=subprocess.DEVNULL)
    if r.returncode != 0:
        print("[mage_capture] server did not start", file=sys.stderr)
        shutil.rmtree(work, ignore_errors=True)
        return 1
    ready = time.monotonic() - t0
    try:
        env = dict(line.removeprefix("export ").split("=", 1) for line in envf.read_text().splitlines())
        tmp_out = work / "observed"
        tmp_out.mkdir()
        cap = Capture(env["MAGE_URL"], tmp_out)
        summary = cap.run()
        st = json.loads(state.read_text())
        summary.update({
            "mage_version": mage_server.VERSION,
            "captured_at_utc": utcnow(),
            "harness_start_to_ready_seconds": round(ready, 1),
            "server_startup_seconds": st.get("startup_seconds"),
            "scheduler_trigger_interval": mage_server.SCHEDULER_TRIGGER_INTERVAL,
            "poll_interval_seconds": POLL,
            "listening": st.get("listening"),
            "cases": cap.cases,
        })
        (tmp_out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
        if out.exists():
            shutil.rmtree(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(tmp_out, out)
        print(f"[mage_capture] wrote {len(cap.cases)} cases to {out}", file=sys.stderr)
    finally:
        subprocess.run([sys.executable, str(HERE / "mage_server.py"), "stop", "--state", str(state)])
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
