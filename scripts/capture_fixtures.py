#!/usr/bin/env python3
"""Capture real Airflow REST API responses as fixtures for decode tests.

Python 3.11+, standard library only.

    # start a server of that version (installing it if needed), capture, stop it:
    python3 scripts/capture_fixtures.py --version 3.3.2
    # or capture from a server that is already running (test DAGs from tests/dags loaded):
    python3 scripts/capture_fixtures.py --url http://127.0.0.1:8080 [--version 3.3.2]

Writes generated/airflow-client/tests/fixtures/<version>/<operationId>[__<variant>].json (or
.ndjson) with the raw response bodies, and index.json listing, for each file, the HTTP status,
operationId, method, URL path, query and content-type. Responses with an empty body (204) are
listed in index.json with "file": null. The access token in the create_token fixture is replaced
by a dummy of the same shape (the server's secret is a fixed test value, but tokens are still
tokens). Old fixture files of that version are removed first, so a re-run gives a clean set.

Lists are kept small (limit=5). The run ids, timestamps, ids and durations differ from run to run.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "generated" / "airflow-client" / "tests" / "fixtures"
SERVER = REPO / "scripts" / "airflow_server.py"
TEST_DAGS = ["live_backfill", "live_backfill_quick", "live_fail", "live_fast", "live_patch"]
DUMMY_TOKEN = ("eyJhbGciOiJIUzUxMiIsInR5cCI6IkpXVCJ9."
               "eyJzdWIiOiJhZG1pbiIsImV4cCI6MH0.redacted-by-capture-fixtures")


def log(msg: str) -> None:
    print(f"[capture] {msg}", file=sys.stderr, flush=True)


class Capture:
    def __init__(self, url: str, out: Path, username: str, password: str,
                 viewer: tuple[str, str]) -> None:
        self.url = url.rstrip("/")
        self.out = out
        self.creds = (username, password)
        self.viewer_creds = viewer
        self.index: list[dict] = []
        self.problems: list[str] = []
        self.token = self.login(*self.creds)
        self.first_token = self.token

    # -- HTTP
    def raw(self, method: str, path: str, *, query: dict | list | None = None, body=None,
            token: str | None | bool = True, accept: str | None = None,
            content_type: str = "application/json", timeout: float = 120.0):
        url = self.url + path
        if query:
            url += "?" + urllib.parse.urlencode(query, doseq=True, quote_via=urllib.parse.quote)
        data = None
        headers = {}
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            headers["Content-Type"] = content_type
        if token is True:
            token = self.token
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if accept:
            headers["Accept"] = accept
        req = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    def login(self, username: str, password: str) -> str:
        st, _, b = self.raw("POST", "/auth/token", body={"username": username, "password": password},
                            token=None)
        if st != 201:
            raise SystemExit(f"login as {username} failed: {st} {b[:200]!r}")
        return json.loads(b)["access_token"]

    def call(self, op: str, method: str, path: str, *, variant: str | None = None,
             expect: int | tuple[int, ...] | None = None, save: bool = True, relogin: bool = True,
             ext: str = "json", redact=None, **kw):
        st, headers, body = self.raw(method, path, **kw)
        for _ in range(3):  # SQLite under load: "database is locked" (500, or 503 for backfills)
            if st not in (500, 503) or not (b"locked" in body or b"Database error" in body):
                break
            log(f"{op}: {st} {body[:120]!r}; retrying")
            time.sleep(2)
            st, headers, body = self.raw(method, path, **kw)
        if st == 401 and relogin and kw.get("token", True) is True and b"Expired" in body:
            self.token = self.login(*self.creds)
            st, headers, body = self.raw(method, path, **kw)
        if expect is not None:
            exp = (expect,) if isinstance(expect, int) else expect
            if st not in exp:
                msg = f"{op}{'__' + variant if variant else ''}: {method} {path} -> {st}, expected {exp}: {body[:300]!r}"
                log("UNEXPECTED " + msg)
                self.problems.append(msg)
        if save:
            name = op + (f"__{variant}" if variant else "")
            saved = body if redact is None else redact(body)
            fname = None
            if saved:
                fname = f"{name}.{ext}"
                (self.out / fname).write_bytes(saved)
            q = kw.get("query")
            self.index.append({
                "file": fname,
                "status": st,
                "operation_id": op,
                "variant": variant,
                "method": method,
                "path": path,
                "query": urllib.parse.urlencode(q, doseq=True, quote_via=urllib.parse.quote) if q else None,
                "content_type": headers.get("content-type") or headers.get("Content-Type"),
            })
        return st, body

    def json(self, *a, **kw):
        st, body = self.call(*a, **kw)
        try:
            return st, json.loads(body) if body else None
        except json.JSONDecodeError:
            return st, None

    # -- helpers
    def wait_for(self, what: str, pred, timeout: float = 120.0, interval: float = 1.0):
        deadline = time.monotonic() + timeout
        while True:
            v = pred()
            if v:
                return v
            if time.monotonic() > deadline:
                raise SystemExit(f"timed out waiting for {what}")
            time.sleep(interval)

    def get_json(self, path: str, query=None):
        st, _, b = self.raw("GET", path, query=query)
        if st == 401:
            self.token = self.login(*self.creds)
            st, _, b = self.raw("GET", path, query=query)
        return st, (json.loads(b) if b else None)

    def run_state(self, dag_id: str, run_id: str) -> str | None:
        st, d = self.get_json(f"/api/v2/dags/{dag_id}/dagRuns/{q(run_id)}")
        return d.get("state") if st == 200 else None

    def wait_run(self, dag_id: str, run_id: str, timeout: float = 180.0) -> str:
        return self.wait_for(f"run {dag_id}/{run_id}",
                             lambda: (s := self.run_state(dag_id, run_id)) in ("success", "failed") and s,
                             timeout)


def q(segment: str) -> str:
    """Percent-encode one path segment (':' and '+' become %3A and %2B)."""
    return urllib.parse.quote(segment, safe="")


def redact_token(body: bytes) -> bytes:
    try:
        d = json.loads(body)
    except json.JSONDecodeError:
        return body
    if isinstance(d, dict) and "access_token" in d:
        d["access_token"] = DUMMY_TOKEN
        return json.dumps(d, separators=(",", ":")).encode()
    return body


def capture(c: Capture, version: str, jwt_expiration: int | None) -> None:
    A = "/api/v2"
    suffix = str(int(time.time()))

    # ---- auth, monitor
    c.call("create_token", "POST", "/auth/token", body={"username": "admin", "password": "admin"},
           token=None, expect=201, redact=redact_token)
    c.call("create_token", "POST", "/auth/token", variant="401_wrong_password",
           body={"username": "admin", "password": "wrong"}, token=None, expect=401)
    c.call("create_token", "POST", "/auth/token", variant="422_missing_password",
           body={"username": "admin"}, token=None, expect=422)
    c.call("get_health", "GET", f"{A}/monitor/health", token=None, expect=200)
    c.call("get_version", "GET", f"{A}/version", expect=200)

    # ---- wait until the test DAGs are parsed
    def parsed():
        st, d = c.get_json(f"{A}/dags", {"limit": 100})
        have = {x["dag_id"] for x in d["dags"]} if st == 200 else set()
        return set(TEST_DAGS) <= have
    c.wait_for("test DAGs to be parsed", parsed, 120)
    c.wait_for("import error of live_broken.py",
               lambda: (c.get_json(f"{A}/importErrors")[1] or {}).get("total_entries", 0) > 0, 60)

    # ---- DAGs
    c.call("get_dags", "GET", f"{A}/dags", query={"limit": 5, "order_by": "dag_id"}, expect=200)
    c.call("get_dags", "GET", f"{A}/dags", variant="filtered",
           query=[("limit", 2), ("offset", 1), ("tags", "live"), ("tags", "fast"), ("tags_match_mode", "any"),
                  ("dag_id_pattern", "live_%"), ("paused", "false"), ("order_by", "-dag_id")], expect=200)
    c.call("get_dags", "GET", f"{A}/dags", variant="422_bad_limit", query={"limit": "x"}, expect=422)
    c.call("get_dag", "GET", f"{A}/dags/live_fast", expect=200)
    c.call("get_dag", "GET", f"{A}/dags/no_such_dag", variant="404", expect=404)
    c.call("get_dag_details", "GET", f"{A}/dags/live_fast/details", expect=200)
    c.call("get_dag_details", "GET", f"{A}/dags/live_backfill/details", variant="scheduled", expect=200)
    c.call("patch_dag", "PATCH", f"{A}/dags/live_patch", query={"update_mask": "is_paused"},
           body={"is_paused": False}, expect=200)
    c.call("patch_dag", "PATCH", f"{A}/dags/live_patch", variant="pause", body={"is_paused": True}, expect=200)
    c.call("patch_dag", "PATCH", f"{A}/dags/live_patch", variant="422_extra_field",
           body={"is_paused": True, "bogus": 1}, expect=422)
    c.call("patch_dags", "PATCH", f"{A}/dags", query={"dag_id_pattern": "live_patch", "limit": 5},
           body={"is_paused": True}, expect=200)
    c.call("get_dag_tags", "GET", f"{A}/dagTags", query={"limit": 5}, expect=200)
    c.call("get_tasks", "GET", f"{A}/dags/live_fast/tasks", expect=200)
    c.call("get_task", "GET", f"{A}/dags/live_fast/tasks/produce", expect=200)
    c.call("get_dag_source", "GET", f"{A}/dagSources/live_patch", expect=200)
    c.call("get_dag_source", "GET", f"{A}/dagSources/live_patch", variant="text", accept="text/plain",
           expect=200, ext="txt")
    c.call("get_dag_versions", "GET", f"{A}/dags/live_fast/dagVersions", query={"limit": 5}, expect=200)
    c.call("get_dag_version", "GET", f"{A}/dags/live_fast/dagVersions/1", expect=200)
    c.call("list_dag_warnings", "GET", f"{A}/dagWarnings", query={"limit": 5}, expect=200)
    c.call("get_import_errors", "GET", f"{A}/importErrors", query={"limit": 5}, expect=200)
    st, d = c.get_json(f"{A}/importErrors")
    if d and d.get("import_errors"):
        c.call("get_import_error", "GET", f"{A}/importErrors/{d['import_errors'][0]['import_error_id']}", expect=200)

    # ---- DAG runs
    fast_run = f"capture__{suffix}+00:00"        # '+' and ':' in a path segment
    fail_run = f"capture_fail__{suffix}"
    doomed_run = f"capture_delete__{suffix}"
    c.call("trigger_dag_run", "POST", f"{A}/dags/live_fast/dagRuns", expect=200,
           body={"dag_run_id": fast_run, "logical_date": None, "conf": {"greeting": "hi"}, "note": "captured"})
    c.call("trigger_dag_run", "POST", f"{A}/dags/live_fast/dagRuns", variant="422_missing_logical_date",
           body={}, expect=422)
    c.call("trigger_dag_run", "POST", f"{A}/dags/live_fast/dagRuns", variant="409_duplicate_run_id",
           body={"dag_run_id": fast_run, "logical_date": None}, expect=409)
    c.call("trigger_dag_run", "POST", f"{A}/dags/no_such_dag/dagRuns", variant="404",
           body={"logical_date": None}, expect=404)
    c.call("trigger_dag_run", "POST", f"{A}/dags/live_fail/dagRuns", variant="failing",
           body={"dag_run_id": fail_run, "logical_date": None}, expect=200)
    c.call("wait_dag_run_until_finished", "GET", f"{A}/dags/live_fast/dagRuns/{q(fast_run)}/wait",
           query={"interval": 1, "result": "produce"}, expect=200, ext="ndjson", timeout=180)
    c.call("wait_dag_run_until_finished", "GET", f"{A}/dags/live_fail/dagRuns/{fail_run}/wait",
           variant="failed", query={"interval": 1}, expect=200, ext="ndjson", timeout=180)
    c.wait_run("live_fast", fast_run)
    c.wait_run("live_fail", fail_run)
    c.call("get_dag_run", "GET", f"{A}/dags/live_fast/dagRuns/{fast_run}", expect=200)  # raw '+' and ':'
    c.call("get_dag_run", "GET", f"{A}/dags/live_fail/dagRuns/{fail_run}", variant="failed", expect=200)
    c.call("get_dag_run", "GET", f"{A}/dags/live_fast/dagRuns/no_such_run", variant="404", expect=404)
    c.call("get_dag_runs", "GET", f"{A}/dags/live_fast/dagRuns",
           query={"limit": 5, "order_by": "-run_after"}, expect=200)
    c.call("get_dag_runs", "GET", f"{A}/dags/~/dagRuns", variant="all_dags",
           query={"limit": 5, "run_after_gte": "2020-01-01T00:00:00+00:00", "state": ["success", "failed"]},
           expect=200)
    c.call("get_dag_runs", "GET", f"{A}/dags/live_fast/dagRuns", variant="422_raw_plus_in_query",
           query={"run_after_gte": "2020-01-01T00:00:00 00:00"}, expect=422)
    c.call("get_list_dag_runs_batch", "POST", f"{A}/dags/~/dagRuns/list",
           body={"dag_ids": ["live_fast", "live_fail"], "page_limit": 5, "order_by": "-run_after"}, expect=200)
    c.call("patch_dag_run", "PATCH", f"{A}/dags/live_fast/dagRuns/{q(fast_run)}", variant="note",
           query={"update_mask": "note"}, body={"note": "patched by capture"}, expect=200)
    c.call("patch_dag_run", "PATCH", f"{A}/dags/live_fast/dagRuns/{q(fast_run)}", variant="note_null",
           query={"update_mask": "note"}, body={"note": None}, expect=200)
    c.call("clear_dag_run", "POST", f"{A}/dags/live_fail/dagRuns/{fail_run}/clear", variant="dry_run",
           body={"dry_run": True, "only_failed": True}, expect=200)
    c.call("trigger_dag_run", "POST", f"{A}/dags/live_patch/dagRuns", variant="paused_dag",
           body={"dag_run_id": doomed_run, "logical_date": None}, expect=200)
    c.call("patch_dag_run", "PATCH", f"{A}/dags/live_patch/dagRuns/{doomed_run}", variant="state",
           body={"state": "failed"}, expect=200)
    c.call("delete_dag_run", "DELETE", f"{A}/dags/live_patch/dagRuns/{doomed_run}", expect=204)
    c.call("delete_dag_run", "DELETE", f"{A}/dags/live_patch/dagRuns/{doomed_run}", variant="404", expect=404)

    # ---- task instances, logs, XComs
    ti = f"{A}/dags/live_fast/dagRuns/{q(fast_run)}/taskInstances"
    c.call("get_task_instances", "GET", ti, expect=200)
    c.call("get_task_instances", "GET", f"{A}/dags/~/dagRuns/~/taskInstances", variant="failed",
           query={"state": "failed", "limit": 5}, expect=200)
    c.call("get_task_instances_batch", "POST", f"{A}/dags/~/dagRuns/~/taskInstances/list",
           body={"dag_ids": ["live_fail"], "state": ["failed", "upstream_failed"], "page_limit": 5}, expect=200)
    c.call("get_task_instance", "GET", f"{ti}/produce", expect=200)
    c.call("get_task_instance", "GET", f"{A}/dags/live_fail/dagRuns/{fail_run}/taskInstances/boom",
           variant="failed", expect=200)
    c.call("get_task_instance", "GET", f"{A}/dags/live_fail/dagRuns/{fail_run}/taskInstances/never",
           variant="upstream_failed", expect=200)
    c.call("get_task_instance", "GET", f"{ti}/no_such_task", variant="404", expect=404)
    c.call("get_task_instance_tries", "GET", f"{ti}/produce/tries", expect=200)
    c.call("get_task_instance_try_details", "GET", f"{ti}/produce/tries/1", expect=200)
    c.call("get_task_instance_dependencies", "GET", f"{ti}/produce/dependencies", expect=200)
    c.call("get_extra_links", "GET", f"{ti}/produce/links", expect=200)
    c.call("get_mapped_task_instances", "GET", f"{ti}/produce/listMapped", variant="404_not_mapped",
           expect=(404, 200))
    c.call("get_log", "GET", f"{ti}/produce/logs/1", accept="application/json", expect=200)
    c.call("get_log", "GET", f"{ti}/produce/logs/1", variant="ndjson", accept="application/x-ndjson",
           expect=200, ext="ndjson")
    c.call("get_log", "GET", f"{A}/dags/live_fail/dagRuns/{fail_run}/taskInstances/boom/logs/1",
           variant="failed", accept="application/json", expect=200)
    c.call("get_log", "GET", f"{ti}/produce/logs/1", variant="406_text_plain", accept="text/plain",
           expect=406)
    c.call("patch_task_instance_dry_run", "PATCH",
           f"{A}/dags/live_fail/dagRuns/{fail_run}/taskInstances/boom/dry_run",
           body={"new_state": "success"}, expect=200)
    c.call("post_clear_task_instances", "POST", f"{A}/dags/live_fail/clearTaskInstances", variant="dry_run",
           body={"dry_run": True, "only_failed": True, "dag_run_id": fail_run}, expect=200)
    c.call("get_xcom_entries", "GET", f"{ti}/produce/xcomEntries", expect=200)
    c.call("get_xcom_entry", "GET", f"{ti}/produce/xcomEntries/return_value", expect=200)
    c.call("get_xcom_entry", "GET", f"{ti}/produce/xcomEntries/answer", variant="int", expect=200)
    c.call("get_xcom_entry", "GET", f"{ti}/produce/xcomEntries/return_value", variant="stringified",
           query={"stringify": "true"}, expect=200)
    c.call("get_xcom_entry", "GET", f"{ti}/produce/xcomEntries/nope", variant="404", expect=404)

    # ---- backfills
    bf = {"dag_id": "live_backfill", "from_date": "2024-02-01T00:00:00Z", "to_date": "2024-02-06T00:00:00Z",
          "max_active_runs": 1, "reprocess_behavior": "none", "dag_run_conf": {"source": "capture"}}
    c.call("create_backfill_dry_run", "POST", f"{A}/backfills/dry_run", body=bf, expect=200)
    st, created = c.json("create_backfill", "POST", f"{A}/backfills", body=bf, expect=200)
    c.call("create_backfill", "POST", f"{A}/backfills", variant="409_already_running", body=bf, expect=409)
    c.call("create_backfill", "POST", f"{A}/backfills", variant="422_extra_field",
           body={**bf, "bogus": True}, expect=422)
    c.call("create_backfill", "POST", f"{A}/backfills", variant="404_unknown_dag",
           body={**bf, "dag_id": "no_such_dag"}, expect=404)
    if created and "id" in created:
        bid = created["id"]
        c.call("list_backfills", "GET", f"{A}/backfills", query={"dag_id": "live_backfill", "limit": 5}, expect=200)
        c.call("get_backfill", "GET", f"{A}/backfills/{bid}", expect=200)
        c.call("pause_backfill", "PUT", f"{A}/backfills/{bid}/pause", expect=200)
        c.call("unpause_backfill", "PUT", f"{A}/backfills/{bid}/unpause", expect=200)
        c.call("cancel_backfill", "PUT", f"{A}/backfills/{bid}/cancel", expect=200)
        c.call("cancel_backfill", "PUT", f"{A}/backfills/{bid}/cancel", variant="409_already_completed",
               expect=(409, 200))
        c.call("get_dag_runs", "GET", f"{A}/dags/live_backfill/dagRuns", variant="backfill_runs",
               query={"limit": 5, "run_type": "backfill"}, expect=200)
    c.call("get_backfill", "GET", f"{A}/backfills/999999", variant="404", expect=404)
    quick = {"dag_id": "live_backfill_quick", "from_date": "2024-03-01T00:00:00Z",
             "to_date": "2024-03-02T00:00:00Z", "max_active_runs": 2}
    st, qb = c.json("create_backfill", "POST", f"{A}/backfills", variant="quick", body=quick, expect=200)
    if qb and "id" in qb:
        c.wait_for("quick backfill to complete",
                   lambda: (c.get_json(f"{A}/backfills/{qb['id']}")[1] or {}).get("completed_at"), 180, 2)
        c.call("get_backfill", "GET", f"{A}/backfills/{qb['id']}", variant="completed", expect=200)

    # ---- variables
    vk = f"capture_var_{suffix}"
    c.call("post_variable", "POST", f"{A}/variables", expect=201,
           body={"key": vk, "value": "{\"a\": 1}", "description": "captured"})
    c.call("post_variable", "POST", f"{A}/variables", variant="409_duplicate",
           body={"key": vk, "value": "x"}, expect=409)
    c.call("post_variable", "POST", f"{A}/variables", variant="422_extra_field",
           body={"key": vk + "_x", "value": "x", "bogus": 1}, expect=422)
    c.call("post_variable", "POST", f"{A}/variables", variant="403_viewer",
           body={"key": vk + "_v", "value": "x"}, token=c.login(*c.viewer_creds), expect=403)
    c.call("get_variable", "GET", f"{A}/variables/{vk}", expect=200)
    c.call("get_variable", "GET", f"{A}/variables/no_such_var_{suffix}", variant="404", expect=404)
    c.call("patch_variable", "PATCH", f"{A}/variables/{vk}", query={"update_mask": "description"},
           body={"key": vk, "value": "ignored", "description": "patched"}, expect=200)
    c.call("get_variables", "GET", f"{A}/variables", query={"limit": 5, "order_by": "key"}, expect=200)
    c.call("bulk_variables", "PATCH", f"{A}/variables", expect=200, body={"actions": [
        {"action": "create", "entities": [{"key": vk + "_b1", "value": "1"}, {"key": vk + "_b2", "value": "2"}],
         "action_on_existence": "fail"},
        {"action": "update", "entities": [{"key": vk + "_b1", "value": "11"}], "action_on_non_existence": "fail"},
        {"action": "delete", "entities": [vk + "_b2"], "action_on_non_existence": "skip"},
    ]})
    c.call("bulk_variables", "PATCH", f"{A}/variables", variant="errors", expect=200, body={"actions": [
        {"action": "create", "entities": [{"key": vk, "value": "dup"}], "action_on_existence": "fail"},
        {"action": "delete", "entities": [f"missing_{suffix}"], "action_on_non_existence": "fail"},
    ]})
    c.call("delete_variable", "DELETE", f"{A}/variables/{vk}", expect=204)
    c.call("delete_variable", "DELETE", f"{A}/variables/{vk}_b1", variant="bulk_leftover", save=False, expect=204)

    # ---- pools
    pn = f"capture_pool_{suffix}"
    c.call("post_pool", "POST", f"{A}/pools", body={"name": pn, "slots": 3, "description": "captured"}, expect=201)
    c.call("post_pool", "POST", f"{A}/pools", variant="409_duplicate", body={"name": pn, "slots": 3}, expect=409)
    c.call("get_pool", "GET", f"{A}/pools/{pn}", expect=200)
    c.call("get_pool", "GET", f"{A}/pools/default_pool", variant="default", expect=200)
    c.call("patch_pool", "PATCH", f"{A}/pools/{pn}", query={"update_mask": "slots"},
           body={"name": pn, "slots": 5, "include_deferred": False}, expect=200)
    # 3.1.8 and 3.3.2: with update_mask=slots the server still wants include_deferred (422).
    c.call("patch_pool", "PATCH", f"{A}/pools/{pn}", variant="422_update_mask_without_include_deferred",
           query={"update_mask": "slots"}, body={"name": pn, "slots": 5}, expect=(422, 200))
    c.call("get_pools", "GET", f"{A}/pools", query={"limit": 5}, expect=200)
    c.call("bulk_pools", "PATCH", f"{A}/pools", expect=200, body={"actions": [
        {"action": "create", "entities": [{"name": pn + "_b", "slots": 1}], "action_on_existence": "overwrite"},
        {"action": "delete", "entities": [pn + "_b"]},
    ]})
    c.call("delete_pool", "DELETE", f"{A}/pools/default_pool", variant="400_default", expect=(400, 403, 409))
    c.call("delete_pool", "DELETE", f"{A}/pools/{pn}", expect=204)

    # ---- connections
    cn = f"capture_conn_{suffix}"
    conn = {"connection_id": cn, "conn_type": "http", "host": "example.invalid", "port": 8080,
            "login": "user", "password": "secret", "extra": "{\"timeout\": 3}", "description": "captured"}
    c.call("post_connection", "POST", f"{A}/connections", body=conn, expect=201)
    c.call("post_connection", "POST", f"{A}/connections", variant="409_duplicate", body=conn, expect=409)
    c.call("get_connection", "GET", f"{A}/connections/{cn}", expect=200)
    c.call("patch_connection", "PATCH", f"{A}/connections/{cn}", query={"update_mask": ["host", "port"]},
           body={"connection_id": cn, "conn_type": "http", "host": "changed.invalid", "port": 9090}, expect=200)
    c.call("get_connections", "GET", f"{A}/connections", query={"limit": 5}, expect=200)
    c.call("bulk_connections", "PATCH", f"{A}/connections", expect=200, body={"actions": [
        {"action": "create", "entities": [{"connection_id": cn + "_b", "conn_type": "fs"}]},
        {"action": "delete", "entities": [cn + "_b"]},
    ]})
    c.call("test_connection", "POST", f"{A}/connections/test", variant="403_disabled",
           body={"connection_id": cn, "conn_type": "http"}, expect=403)
    c.call("delete_connection", "DELETE", f"{A}/connections/{cn}", expect=204)

    # ---- config, misc
    c.call("get_config", "GET", f"{A}/config", variant="403", expect=403)
    c.call("get_config_value", "GET", f"{A}/config/section/core/option/parallelism", variant="403", expect=403)
    c.call("get_event_logs", "GET", f"{A}/eventLogs", query={"limit": 5, "order_by": "-id"}, expect=200)
    st, d = c.get_json(f"{A}/eventLogs", {"limit": 1, "order_by": "-id"})
    if d and d.get("event_logs"):
        c.call("get_event_log", "GET", f"{A}/eventLogs/{d['event_logs'][0]['event_log_id']}", expect=200)
    c.call("get_dag_stats", "GET", f"{A}/dagStats", query=[("dag_ids", "live_fast"), ("dag_ids", "live_fail")],
           expect=200)
    c.call("get_jobs", "GET", f"{A}/jobs", query={"limit": 5}, expect=200)
    c.call("get_plugins", "GET", f"{A}/plugins", query={"limit": 5}, expect=200)
    c.call("import_errors", "GET", f"{A}/plugins/importErrors", expect=200)
    c.call("get_providers", "GET", f"{A}/providers", query={"limit": 5}, expect=200)
    c.call("get_assets", "GET", f"{A}/assets", query={"limit": 5}, expect=200)

    # ---- generic errors
    c.call("get_dags", "GET", f"{A}/dags", variant="401_no_token", token=None, expect=401)
    c.call("get_dags", "GET", f"{A}/dags", variant="403_garbage_token", token="garbage.token.value",
           expect=403, relogin=False)
    c.call("patch_dag", "PATCH", f"{A}/dags/live_patch", variant="403_viewer", body={"is_paused": True},
           token=c.login(*c.viewer_creds), expect=403)
    c.call("get_dags", "GET", f"{A}/dags", variant="viewer", token=c.login(*c.viewer_creds), query={"limit": 1}, expect=200)
    c.call("unknown_route", "GET", f"{A}/no/such/route", variant="404", expect=404)
    c.call("unknown_route", "DELETE", f"{A}/dags", variant="405_method_not_allowed", expect=405)

    if jwt_expiration is not None:
        # The first token was issued at start; make sure it has expired, then use it.
        c.wait_for("first token to expire",
                   lambda: c.raw("GET", f"{A}/dags", query={"limit": 1}, token=c.first_token)[0] == 401,
                   jwt_expiration + 90, 2)
        c.call("get_dags", "GET", f"{A}/dags", variant="401_expired_token", token=c.first_token,
               query={"limit": 1}, expect=401, relogin=False)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--version", help="Airflow version (default: asked from the server)")
    ap.add_argument("--url", help="use this running server instead of starting one")
    ap.add_argument("--username", default="admin")
    ap.add_argument("--password", default="admin")
    ap.add_argument("--viewer-username", default="viewer")
    ap.add_argument("--viewer-password", default="viewer")
    ap.add_argument("--jwt-expiration-seconds", type=int, default=None,
                    help="with --url: the server's JWT lifetime, to capture an expired-token 401")
    ap.add_argument("--out", help="default: generated/airflow-client/tests/fixtures/<version>")
    args = ap.parse_args()

    state_file = None
    url = args.url
    jwt_exp = args.jwt_expiration_seconds
    if not url:
        if not args.version:
            ap.error("--version is required when no --url is given")
        subprocess.run([sys.executable, str(SERVER), "install", "--version", args.version], check=True)
        state_file = Path(f"/tmp/capture-airflow-{args.version}-{int(time.time())}.json")
        jwt_exp = 20
        r = subprocess.run([sys.executable, str(SERVER), "start", "--version", args.version,
                            "--state", str(state_file), "--jwt-expiration-seconds", str(jwt_exp)])
        if r.returncode != 0:
            return r.returncode
        url = json.loads(state_file.read_text())["url"]
    try:
        t0 = time.monotonic()
        version = args.version
        c = Capture(url, Path("."), args.username, args.password, (args.viewer_username, args.viewer_password))
        st, v = c.get_json("/api/v2/version")
        server_version = v.get("version") if v else None
        if version and server_version and server_version != version:
            log(f"warning: server says {server_version}, --version says {version}")
        version = version or server_version
        out = Path(args.out) if args.out else FIXTURES / version
        out.mkdir(parents=True, exist_ok=True)
        for old in out.iterdir():
            if old.is_file() and old.suffix in (".json", ".ndjson", ".txt"):
                old.unlink()
        c.out = out
        capture(c, version, jwt_exp)
        c.index.sort(key=lambda e: (e["operation_id"], e["variant"] or ""))
        (out / "index.json").write_text(json.dumps({
            "airflow_version": server_version,
            "captured_by": "scripts/capture_fixtures.py",
            "fixtures": c.index,
        }, indent=2) + "\n")
        log(f"{len(c.index)} responses captured into {out} in {time.monotonic() - t0:.0f}s")
        if c.problems:
            log(f"{len(c.problems)} unexpected status(es):")
            for p in c.problems:
                log("  " + p)
        return 0
    finally:
        if state_file:
            subprocess.run([sys.executable, str(SERVER), "stop", "--state", str(state_file)])


if __name__ == "__main__":
    sys.exit(main())
