#!/usr/bin/env python3
"""Capture the real answers of LinkedIn's backfill plugin (1.0.4 on Airflow 2.5.3) into
spec/li-backfill-plugin/observed/, one JSON file per case. Python 3.10+, standard library only.

    python3 scripts/li_backfill_capture.py [--out DIR]

Without LI_BACKFILL_URL in the environment it installs (if needed), starts a fresh server with
scripts/li_backfill_server.py, captures and stops it. With LI_BACKFILL_URL (+ LI_BACKFILL_USERNAME,
LI_BACKFILL_PASSWORD, LI_BACKFILL_VIEWER_USERNAME, LI_BACKFILL_VIEWER_PASSWORD, as written by
`li_backfill_server.py start --env-file`) it uses that server, which must be freshly started (the
first case expects no backfill yet, and the cases create backfills of li_test_daily for dates in
2023-01 .. 2023-04).

Each file: {"case", "note", "request": {"method", "path", "body"}, "status", "content_type",
"headers" (the interesting ones), "body" (parsed JSON, else text), "elapsed_s"}. progression.json
records the lifecycle of the backfills driven through the system DAGs, with timings. The *.json
files already in the output directory are removed first. When the script started the server
itself, it then starts a second one with CSRF protection on (Airflow's default) and records what
an API client gets there (error-400-csrf*.json, list-csrf.json).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SERVER = REPO / "scripts" / "li_backfill_server.py"
OUT = REPO / "spec" / "li-backfill-plugin" / "observed"
BASE = "/api/v1/plugins/backfills"
DAG = "li_test_daily"
KEEP_HEADERS = ("Content-Type", "WWW-Authenticate", "Location")


def log(msg: str) -> None:
    print(f"[li_backfill_capture] {msg}", file=sys.stderr, flush=True)


class Client:
    def __init__(self, url: str, user: str, password: str):
        self.url = url.rstrip("/")
        self.auth = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()

    def call(self, method: str, path: str, body=None, raw: bytes | None = None,
             content_type: str | None = "application/json", auth: str | None | bool = True) -> dict:
        headers = {"Accept": "application/json"}
        if auth is True:
            headers["Authorization"] = self.auth
        elif isinstance(auth, str):
            headers["Authorization"] = auth
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        if data is not None and content_type:
            headers["Content-Type"] = content_type
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        t0 = time.monotonic()
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                status, hdrs, payload = r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            status, hdrs, payload = e.code, e.headers, e.read()
        elapsed = time.monotonic() - t0
        text = payload.decode("utf-8", errors="replace")
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = text
        return {
            "request": {"method": method, "path": path,
                        "body": body if raw is None else raw.decode(errors="replace"),
                        **({"content_type": content_type} if data is not None else {}),
                        **({"auth": "none"} if auth is None or auth is False else {})},
            "status": status,
            "content_type": hdrs.get("Content-Type"),
            "headers": {k: hdrs.get(k) for k in KEEP_HEADERS if hdrs.get(k) is not None},
            "body": parsed,
            "elapsed_s": round(elapsed, 3),
        }


class Capture:
    def __init__(self, out: Path, admin: Client, viewer: Client):
        self.out = out
        self.admin = admin
        self.viewer = viewer
        self.t0 = time.monotonic()
        self.events: list[dict] = []
        self.written: list[str] = []

    def save(self, name: str, res: dict, note: str, expect: int | None = None) -> dict:
        doc = {"case": name, "note": note, **res}
        (self.out / f"{name}.json").write_text(json.dumps(doc, indent=2, sort_keys=False) + "\n")
        self.written.append(name)
        flag = "" if expect is None or res["status"] == expect else f"  (EXPECTED {expect})"
        log(f"{name}: {res['status']} {res['content_type']}{flag}")
        return res

    def event(self, what: str, **kw) -> None:
        e = {"t_s": round(time.monotonic() - self.t0, 1), "event": what, **kw}
        self.events.append(e)
        log(f"  {e['t_s']:7.1f}s {what} {json.dumps(kw) if kw else ''}")

    # -- helpers on the Airflow stable REST API

    def trigger(self, dag_id: str) -> str:
        self.admin.call("PATCH", f"/api/v1/dags/{dag_id}", {"is_paused": False})
        r = self.admin.call("POST", f"/api/v1/dags/{dag_id}/dagRuns", {})
        if r["status"] != 200:
            raise RuntimeError(f"trigger {dag_id}: {r['status']} {r['body']}")
        run_id = r["body"]["dag_run_id"]
        self.event("trigger", dag_id=dag_id, run_id=run_id)
        return run_id

    def wait_run(self, dag_id: str, run_id: str, timeout: float = 180) -> str:
        deadline = time.monotonic() + timeout
        path = f"/api/v1/dags/{dag_id}/dagRuns/{urllib.parse.quote(run_id, safe='')}"
        while time.monotonic() < deadline:
            r = self.admin.call("GET", path)
            st = r["body"].get("state") if isinstance(r["body"], dict) else None
            if st in ("success", "failed"):
                self.event("system DAG run finished", dag_id=dag_id, state=st,
                           start_date=r["body"].get("start_date"), end_date=r["body"].get("end_date"))
                return st
            time.sleep(0.3)
        raise RuntimeError(f"{dag_id} run {run_id} did not finish within {timeout:.0f}s")

    def run_system_dag(self, dag_id: str) -> None:
        self.wait_run(dag_id, self.trigger(dag_id))

    def backfill(self, bid: str) -> dict:
        return self.admin.call("GET", f"{BASE}/{bid}")["body"]

    def backfill_runs(self, bid: str) -> list[dict]:
        r = self.admin.call("GET", f"/api/v1/dags/{bid}/dagRuns")
        return r["body"].get("dag_runs", []) if r["status"] == 200 else []

    def wait_backfill_runs(self, bid: str, count: int, timeout: float = 120) -> list[dict]:
        deadline = time.monotonic() + timeout
        seen_dag = False
        while time.monotonic() < deadline:
            if not seen_dag and self.admin.call("GET", f"/api/v1/dags/{bid}")["status"] == 200:
                seen_dag = True
                self.event("backfill DAG known to the webserver", dag_id=bid)
            runs = self.backfill_runs(bid)
            if len(runs) >= count and all(r["state"] in ("success", "failed") for r in runs):
                self.event("backfill DAG runs finished", dag_id=bid,
                           runs=[{"logical_date": r["logical_date"], "state": r["state"],
                                  "run_type": r["run_type"]} for r in runs])
                return runs
            time.sleep(0.3)
        raise RuntimeError(f"{bid}: {count} finished runs not seen within {timeout:.0f}s")

    def create(self, body: dict) -> dict:
        """POST a backfill; waits into the next second first (the backfill_dag_id has second
        resolution, two creations of one DAG in the same second collide)."""
        time.sleep(1.0 - time.time() % 1.0 + 0.05)
        return self.admin.call("POST", BASE, body)


def capture(cap: Capture) -> None:
    a, v = cap.admin, cap.viewer
    future = "2030-01-01T00:00:00+00:00"

    # ---------------------------------------------------------------- empty, auth errors
    cap.save("list-empty", a.call("GET", BASE), "fresh server: a bare JSON array", 200)
    cap.save("error-401", a.call("GET", BASE, auth="Basic " + base64.b64encode(b"admin:wrong").decode()),
             "wrong password: RFC 7807 body, detail null, no WWW-Authenticate header", 401)
    cap.save("error-401-no-credentials", a.call("GET", BASE, auth=None),
             "no Authorization header", 401)
    cap.save("error-403-viewer", v.call("GET", BASE),
             "Viewer role: the plugin grants its 'Backfills' permissions to the roles User and Op "
             "([li_backfill] permitted_roles) and Admin gets all permissions", 403)
    cap.save("error-403-viewer-create", v.call("POST", BASE, {
        "dag_id": DAG, "start_date": "2023-01-01", "end_date": "2023-01-03", "delete_duration_days": 1}),
        "Viewer: POST is refused before the body is looked at", 403)
    cap.save("error-404", a.call("GET", f"{BASE}/no_such_backfill"), "unknown backfill_dag_id", 404)
    cap.save("error-404-cancel", a.call("POST", f"{BASE}/no_such_backfill/cancel"), "unknown backfill_dag_id", 404)
    cap.save("error-404-delete", a.call("DELETE", f"{BASE}/no_such_backfill"), "unknown backfill_dag_id", 404)
    cap.save("error-405-put", a.call("PUT", BASE, {}), "no such method on the collection", 405)

    # ---------------------------------------------------------------- 400s on create
    cap.save("error-400-unknown-dag", a.call("POST", BASE, {
        "dag_id": "nope", "start_date": "2023-01-01", "end_date": "2023-01-03", "delete_duration_days": 1}),
        "dag_id not in the webserver's DAG bag", 400)
    cap.save("error-400-prose-field-names", a.call("POST", BASE, {
        "dag_id": DAG, "start_date": "2023-01-01", "end_date": "2023-01-03",
        "delete_after_days": 30, "scheduled_at": future, "additional_dag_params": {"x": 1}}),
        "the field names of the prose's request-body list: delete_after_days is not read, so the "
        "required delete_duration_days is missing (scheduled_at/additional_dag_params are ignored)", 400)
    cap.save("error-400-dag-params-object", a.call("POST", BASE, {
        "dag_id": DAG, "start_date": "2023-01-01", "end_date": "2023-01-03", "delete_duration_days": 1,
        "dag_params": {"x": 1}}),
        "dag_params must be a string holding a JSON object, not a JSON object", 400)
    cap.save("error-400-max-active-runs", a.call("POST", BASE, {
        "dag_id": DAG, "start_date": "2023-01-01", "end_date": "2023-01-03", "delete_duration_days": 1,
        "max_active_runs": 11}), "max_active_runs must be 1..10", 400)
    cap.save("error-400-traceback", a.call("POST", BASE, {
        "dag_id": DAG, "start_date": "2023-01-01", "end_date": "2023-01-03", "delete_duration_days": 1,
        "max_active_runs": "x"}),
        "an exception inside validation: detail is 'unknown error: ...' plus a Python traceback", 400)
    cap.save("error-400-no-logical-date", a.call("POST", BASE, {
        "dag_id": DAG, "start_date": "2023-01-05", "end_date": "2023-01-01", "delete_duration_days": 1}),
        "start_date after end_date", 400)
    cap.save("error-400-not-json", a.call("POST", BASE, raw=b'{"dag_id": "li_test_daily"}', content_type="text/plain"),
             "body not sent as application/json: werkzeug's 400, type about:blank", 400)
    cap.save("error-400-list-bad-date", a.call("GET", f"{BASE}?start_date=nope&end_date=nope"),
             "unparsable filter date: 'unknown error' plus traceback", 400)

    # ---------------------------------------------------------------- create / get / list
    body_a = {
        "dag_id": DAG,
        "description": "live capture: three daily runs",
        "start_date": "2023-01-01T00:00:00+00:00",
        "end_date": "2023-01-03T00:00:00+00:00",
        "max_active_runs": 3,
        "delete_duration_days": 30,
        "dag_params": "{\"source\": \"capture\"}",
        "ignore_overlapping_backfills": False,
    }
    res = cap.save("create", cap.create(body_a),
                   "the field names the server reads; logical_dates lacks the first date of the range "
                   "(2023-01-01): the plugin's any() consumes it from the generator", 200)
    bid_a = res["body"]["backfill_dag_id"]
    cap.event("created", backfill_dag_id=bid_a, state=res["body"]["state"])
    cap.save("get", a.call("GET", f"{BASE}/{bid_a}"), "right after creation", 200)
    cap.save("error-400-overlapping", cap.create(dict(body_a, description="overlaps")),
             "the same range again without ignore_overlapping_backfills: 400, not 409", 400)
    cap.save("create-minimal-strings", cap.create({
        "dag_id": DAG, "start_date": "2023-01-02", "end_date": "2023-01-03",
        "delete_duration_days": "7", "max_active_runs": "2", "ignore_overlapping_backfills": "true",
        "scheduled_date": future, "description": None}),
        "numbers and booleans as strings are accepted; description null is stored and returned as "
        "null; no dag_params -> {}; scheduled_date in the future keeps it submitted", 200)
    res = cap.save("create-scheduled-future", cap.create({
        "dag_id": DAG, "start_date": "2023-04-01", "end_date": "2023-04-02", "delete_duration_days": 1,
        "scheduled_date": future}), "scheduled_date far ahead: stays submitted, can be cancelled", 200)
    bid_c = res["body"]["backfill_dag_id"]
    res = cap.save("create-single-date", cap.create({
        "dag_id": DAG, "start_date": "2023-04-10", "end_date": "2023-04-10", "delete_duration_days": 1,
        "ignore_overlapping_backfills": True, "scheduled_date": future}),
        "a range holding one logical date: logical_dates is [] (the only date is the one dropped)", 200)
    bid_single = res["body"]["backfill_dag_id"]

    # Two creations in the same second: the generated backfill_dag_id collides (primary key).
    dup = None
    for attempt in range(5):
        time.sleep(1.05 - (time.time() % 1.0) + 0.1)
        results: list[dict] = []
        body = {"dag_id": DAG, "start_date": "2023-04-20", "end_date": "2023-04-21", "delete_duration_days": 1,
                "ignore_overlapping_backfills": True, "scheduled_date": future}
        threads = [threading.Thread(target=lambda: results.append(a.call("POST", BASE, body))) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        bad = [r for r in results if r["status"] != 200]
        if bad:
            dup = bad[0]
            break
    if dup:
        cap.save("error-500-duplicate-backfill-dag-id", dup,
                 "two creations of the same DAG within one second: the second-resolution backfill_dag_id "
                 "collides, the INSERT fails and Airflow's HTML error page answers (not RFC 7807)")
    else:
        log("could not provoke the same-second collision in 5 attempts")

    res = cap.save("list-with-filters", a.call(
        "GET", f"{BASE}?dag_id={DAG}&start_date=2023-01-03T00%3A00%3A00%2B00%3A00"
               f"&end_date=2023-01-03T00%3A00%3A00%2B00%3A00&include_deleted=false"),
        "dag_id + a range: only backfills with a logical date inside [start_date, end_date]", 200)
    cap.save("list-filter-first-date", a.call(
        "GET", f"{BASE}?start_date=2023-01-01T00%3A00%3A00%2B00%3A00&end_date=2023-01-01T00%3A00%3A00%2B00%3A00"),
        "the range start 2023-01-01 is not in logical_dates, so the range filter misses it", 200)
    cap.save("list-start-date-only", a.call("GET", f"{BASE}?start_date=2099-01-01T00%3A00%3A00%2B00%3A00"),
             "start_date without end_date: the range filter is silently not applied", 200)

    # ---------------------------------------------------------------- cancel rules on submitted
    cap.save("cancel-submitted", a.call("POST", f"{BASE}/{bid_c}/cancel"),
             "submitted, scheduled more than 3 min ahead: cancel marks it Deleted; state stays submitted", 200)
    cap.save("error-400-cancel-twice", a.call("POST", f"{BASE}/{bid_c}/cancel"), "already Deleted", 400)
    cap.save("error-400-delete-submitted", a.call("DELETE", f"{BASE}/{bid_single}"),
             "delete needs state paused/success/failed", 400)

    # ---------------------------------------------------------------- lifecycle of A
    cap.save("error-400-cancel-scheduling", a.call("POST", f"{BASE}/{bid_a}/cancel"),
             "submitted but scheduled_date (default: now) is within 3 minutes: cannot cancel", 400)
    progression = [{"t_s": round(time.monotonic() - cap.t0, 1), "state": cap.backfill(bid_a)["state"]}]
    t_a = time.monotonic()
    cap.run_system_dag("backfill_creation")
    b = cap.backfill(bid_a)
    progression.append({"t_s": round(time.monotonic() - cap.t0, 1), "state": b["state"], "after": "backfill_creation"})
    cap.save("get-queued", a.call("GET", f"{BASE}/{bid_a}"), "after backfill_creation ran: queued, DAG file written", 200)
    cap.save("error-400-delete-queued", a.call("DELETE", f"{BASE}/{bid_a}"), "queued is not deletable", 400)
    cap.wait_backfill_runs(bid_a, 3)
    cap.run_system_dag("backfill_state_update")
    b = cap.backfill(bid_a)
    progression.append({"t_s": round(time.monotonic() - cap.t0, 1), "state": b["state"], "after": "backfill_state_update"})
    t_success = time.monotonic() - t_a
    cap.save("get-success", a.call("GET", f"{BASE}/{bid_a}"),
             f"after backfill_state_update ran: success with run_start_date/run_end_date "
             f"({t_success:.1f}s after the creation trigger)", 200)
    cap.event("backfill A finished", state=b["state"], seconds_from_first_trigger=round(t_success, 1))
    cap.save("error-400-cancel-finished", a.call("POST", f"{BASE}/{bid_a}/cancel"),
             "cancel needs state queued/running/paused", 400)

    # ---------------------------------------------------------------- B: running, delete refused, cancel
    body_b = {"dag_id": DAG, "description": "live capture: ten daily runs, one at a time",
              "start_date": "2023-03-01", "end_date": "2023-03-10", "max_active_runs": 1,
              "delete_duration_days": 1}
    res = cap.create(body_b)
    bid_b = res["body"]["backfill_dag_id"]
    cap.event("created", backfill_dag_id=bid_b, state=res["body"]["state"])
    prog_b = [{"t_s": round(time.monotonic() - cap.t0, 1), "state": res["body"]["state"]}]
    cap.run_system_dag("backfill_creation")
    prog_b.append({"t_s": round(time.monotonic() - cap.t0, 1), "state": cap.backfill(bid_b)["state"],
                   "after": "backfill_creation"})
    # as soon as the backfill DAG has a run, let the state update look at it
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not cap.backfill_runs(bid_b):
        time.sleep(0.3)
    n_runs = len(cap.backfill_runs(bid_b))
    cap.event("backfill B has runs", count=n_runs)
    cap.run_system_dag("backfill_state_update")
    b = cap.backfill(bid_b)
    prog_b.append({"t_s": round(time.monotonic() - cap.t0, 1), "state": b["state"], "after": "backfill_state_update",
                   "backfill_dag_runs_seen": len(cap.backfill_runs(bid_b))})
    cap.save("get-running", a.call("GET", f"{BASE}/{bid_b}"),
             "state update while not every logical date has a finished run: running, run_start_date set", 200)
    cap.save("error-400-delete-running", a.call("DELETE", f"{BASE}/{bid_b}"), "running is not deletable", 400)
    res = cap.save("cancel", a.call("POST", f"{BASE}/{bid_b}/cancel"),
                   "cancel of a running backfill: pauses the backfill DAG, marks its unfinished runs failed "
                   "and recomputes the state at once", 200)
    prog_b.append({"t_s": round(time.monotonic() - cap.t0, 1), "state": res["body"].get("state"), "after": "cancel"})
    runs_b = cap.backfill_runs(bid_b)
    cap.event("backfill B runs after cancel", runs=[{"logical_date": r["logical_date"], "state": r["state"]} for r in runs_b])
    dag_b = a.call("GET", f"/api/v1/dags/{bid_b}")
    cap.event("backfill B DAG after cancel", is_paused=dag_b["body"].get("is_paused") if isinstance(dag_b["body"], dict) else None)

    # ---------------------------------------------------------------- delete A, then the deletion DAG
    res = cap.save("delete", a.call("DELETE", f"{BASE}/{bid_a}"),
                   "delete of a finished backfill: marks it ToBeDeleted (delete_date = now); the DAG is "
                   "removed later by the backfill_deletion system DAG", 200)
    progression.append({"t_s": round(time.monotonic() - cap.t0, 1), "state": res["body"]["state"],
                        "deleted": res["body"]["deleted"], "after": "DELETE"})
    cap.save("error-400-delete-twice", a.call("DELETE", f"{BASE}/{bid_a}"), "already ToBeDeleted", 400)
    cap.save("error-400-cancel-deleted", a.call("POST", f"{BASE}/{bid_a}/cancel"), "already ToBeDeleted", 400)
    cap.save("list-after-delete", a.call("GET", BASE),
             "default list: ToBeDeleted and Deleted backfills are left out", 200)
    cap.run_system_dag("backfill_deletion")
    b = cap.backfill(bid_a)
    progression.append({"t_s": round(time.monotonic() - cap.t0, 1), "state": b["state"], "deleted": b["deleted"],
                        "after": "backfill_deletion"})
    cap.save("get-deleted", a.call("GET", f"{BASE}/{bid_a}"),
             "after backfill_deletion ran: deleted 'Deleted'; GET still answers 200", 200)
    gone = a.call("GET", f"/api/v1/dags/{bid_a}")
    cap.event("backfill A DAG after deletion", status=gone["status"])
    cap.save("list-include-deleted", a.call("GET", f"{BASE}?include_deleted=true"),
             "include_deleted=true (or 1, any case of true): Deleted and ToBeDeleted included", 200)

    # ---------------------------------------------------------------- last: creations that get queued
    # (scheduled_date now: the next backfill_creation run would pick these up, so they come last)
    cap.save("create-prose-names-ignored", cap.create({
        "dag_id": DAG, "start_date": "2023-05-01T00:00:00+00:00", "end_date": "2023-05-02T00:00:00+00:00",
        "delete_duration_days": 1, "scheduled_at": future, "additional_dag_params": {"x": 1},
        "delete_after_days": 30}),
        "the prose's names next to the required delete_duration_days: scheduled_at and "
        "additional_dag_params are ignored (scheduled_at in the answer is the submission time, "
        "dag_params is {})", 200)
    cap.save("create-negative-delete-days", cap.create({
        "dag_id": DAG, "start_date": "2023-05-10T00:00:00+00:00", "end_date": "2023-05-11T00:00:00+00:00",
        "delete_duration_days": -1}),
        "a negative delete_duration_days is accepted: the new backfill is ToBeDeleted at once", 200)

    (cap.out / "progression.json").write_text(json.dumps({
        "note": "Times in seconds since the capture started. Backfill A: 3 logical dates "
                "(2023-01-01..03, max_active_runs 3). Backfill B: 10 dates, max_active_runs 1, "
                "state update triggered as soon as its first run existed, then cancelled. System DAG "
                "runs were triggered through POST /api/v1/dags/{dag_id}/dagRuns.",
        "backfill_a": {"backfill_dag_id": bid_a, "states": progression,
                       "seconds_creation_trigger_to_success": round(t_success, 1)},
        "backfill_b": {"backfill_dag_id": bid_b, "states": prog_b},
        "events": cap.events,
    }, indent=2) + "\n")
    cap.written.append("progression")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=str(OUT))
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.json"):  # a re-capture replaces the whole set
        old.unlink()

    started = None
    env = dict(os.environ)
    if not env.get("LI_BACKFILL_URL"):
        tmp = Path(tempfile.mkdtemp(prefix="li-backfill-capture-"))
        state, env_file = tmp / "state.json", tmp / "env"
        subprocess.run([sys.executable, str(SERVER), "install"], check=True)
        t0 = time.monotonic()
        subprocess.run([sys.executable, str(SERVER), "start", "--state", str(state), "--env-file", str(env_file)],
                       check=True, stdout=subprocess.DEVNULL)
        log(f"server started in {time.monotonic() - t0:.1f}s")
        started = state
        for line in env_file.read_text().splitlines():
            k, _, val = line.removeprefix("export ").partition("=")
            env[k] = val
    try:
        admin = Client(env["LI_BACKFILL_URL"], env["LI_BACKFILL_USERNAME"], env["LI_BACKFILL_PASSWORD"])
        viewer = Client(env["LI_BACKFILL_URL"], env["LI_BACKFILL_VIEWER_USERNAME"], env["LI_BACKFILL_VIEWER_PASSWORD"])
        cap = Capture(out, admin, viewer)
        capture(cap)
        log(f"wrote {len(cap.written)} files to {out}")
    finally:
        if started:
            subprocess.run([sys.executable, str(SERVER), "stop", "--state", str(started)])
            (started.parent / "env").unlink(missing_ok=True)
    if started:
        capture_csrf(out, started.parent)
        try:
            started.parent.rmdir()
        except OSError:
            pass
    return 0


def capture_csrf(out: Path, tmp: Path) -> None:
    """A second server with Airflow's default CSRF protection on: what an API client gets there."""
    state, env_file = tmp / "state-csrf.json", tmp / "env-csrf"
    subprocess.run([sys.executable, str(SERVER), "start", "--csrf", "--no-wait-quiet", "--state", str(state),
                    "--env-file", str(env_file)], check=True, stdout=subprocess.DEVNULL)
    try:
        env = {}
        for line in env_file.read_text().splitlines():
            k, _, val = line.removeprefix("export ").partition("=")
            env[k] = val
        admin = Client(env["LI_BACKFILL_URL"], env["LI_BACKFILL_USERNAME"], env["LI_BACKFILL_PASSWORD"])
        cap = Capture(out, admin, admin)
        cap.save("error-400-csrf", admin.call("POST", BASE, {
            "dag_id": DAG, "start_date": "2023-01-01", "end_date": "2023-01-03", "delete_duration_days": 1}),
            "webserver with WTF_CSRF_ENABLED = True (Airflow's default webserver_config.py): every POST "
            "and DELETE of the plugin answers this, even with valid basic credentials", 400)
        cap.save("error-400-csrf-delete", admin.call("DELETE", f"{BASE}/no_such_backfill"),
                 "CSRF on: the check runs before routing, so even an unknown id answers 400", 400)
        cap.save("list-csrf", admin.call("GET", BASE), "CSRF on: GET is not affected", 200)
    finally:
        subprocess.run([sys.executable, str(SERVER), "stop", "--state", str(state)])
        env_file.unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(main())
