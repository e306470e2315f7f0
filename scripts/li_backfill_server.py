#!/usr/bin/env python3
"""Install, start and stop Airflow 2.5.3 with LinkedIn's backfill plugin (li-airflow-backfill-plugin
1.0.4) for the live tests of the plugin's API. Python 3.10+, standard library only.

    python3 scripts/li_backfill_server.py install [--force]
    python3 scripts/li_backfill_server.py start [--port P] --state FILE --env-file FILE [--no-wait-quiet] [--csrf]
    python3 scripts/li_backfill_server.py stop --state FILE
    python3 scripts/li_backfill_server.py status --state FILE

The environment is .cache/venvs/li-backfill, installed by scripts/serverkit.py from the lock
scripts/locks/li-backfill.txt (Python 3.10: Airflow 2.5.3 does not support 3.11).

`start` makes a fresh temporary AIRFLOW_HOME and puts tests/li-backfill/dags/*.py into
$AIRFLOW_HOME/dags, which is the DAGs folder (the plugin writes each backfill's generated DAG into
$AIRFLOW_HOME/dags/backfill_user_dags/ whatever the configured folder is). Then:
  * webserver_config.py with WTF_CSRF_ENABLED = False (the plugin's blueprint is not CSRF-exempt:
    with CSRF on, every POST/DELETE answers 400 "The CSRF token is missing."; --csrf keeps it on);
  * the stable REST API and the plugin take HTTP basic auth (airflow.api.auth.backend.basic_auth);
  * `airflow db init`, users admin/admin (Admin) and viewer/viewer (Viewer: the plugin grants its
    "Backfills" permissions to the roles User and Op only, so the viewer gets 403 everywhere);
  * `airflow webserver -H 127.0.0.1` and `airflow scheduler --skip-serve-logs` (without the flag
    its log server binds 0.0.0.0:8793), each in its own process group, the venv's bin on PATH (the
    SequentialExecutor runs `airflow tasks run ...` from PATH). No triggerer (it would serve logs on
    0.0.0.0:8794; nothing here defers). SequentialExecutor + SQLite: the only executor that works
    with SQLite; the backfill DAG's EmptyOperator runs never reach the executor (the scheduler marks
    them success), so only the plugin's system DAGs (PythonOperator) use it.
  * healthy = /health says metadatabase and scheduler healthy, the plugin answers
    GET /api/v1/plugins/backfills with 200, and the webserver knows the test DAG li_test_daily and
    the four system DAGs (the plugin validates dag_id against the webserver's DAG bag, read from the
    serialized DAGs in the database). Unless --no-wait-quiet, start also waits until the first
    scheduled run of each system DAG (the scheduler creates one as soon as it sees them: catchup is
    off and their start date is in 2022) has finished, so a test starts from a quiet executor.
  * it then checks that no socket of the started process groups listens on a non-loopback address.
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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import serverkit  # noqa: E402

REPO = serverkit.REPO
ENV_NAME = "li-backfill"
DAGS_SRC = REPO / "tests" / "li-backfill" / "dags"
TEST_DAG_ID = "li_test_daily"
SYSTEM_DAG_IDS = ["backfill_creation", "backfill_deletion", "backfill_state_update",
                  "backfill_state_update_backlog"]
USERS = [  # username, password, role
    ("admin", "admin", "Admin"),
    ("viewer", "viewer", "Viewer"),
]
HOME_PREFIX = "li-backfill-"
HEALTH_TIMEOUT = 240.0
STOP_GRACE = 15.0
MARKER = b"airflow"

WEBSERVER_CONFIG = """\
# Written by scripts/li_backfill_server.py for the live tests.
import os

from airflow.www.fab_security.manager import AUTH_DB

basedir = os.path.abspath(os.path.dirname(__file__))
AUTH_TYPE = AUTH_DB
# The backfill plugin's API blueprint is not exempt from CSRF protection: with it on, every
# POST/DELETE to /api/v1/plugins/backfills answers 400 "The CSRF token is missing.".
WTF_CSRF_ENABLED = {csrf}
"""

# One process creates both users, as `airflow users create` does (cached_app().appbuilder.sm);
# two `airflow users create` would pay Airflow's start-up twice.
CREATE_USERS = """\
import json, sys
from airflow.www.app import cached_app

users = json.loads(sys.argv[1])
app = cached_app()
sm = app.appbuilder.sm
for username, password, role_name in users:
    role = sm.find_role(role_name)
    if role is None:
        sys.exit(f"role {role_name} not found")
    if sm.find_user(username) is None:
        if not sm.add_user(username, username, "user", f"{username}@example.com", role, password):
            sys.exit(f"could not create user {username}")
print("users created")
"""


def log(msg: str) -> None:
    serverkit.log("li_backfill_server", msg)


def venv_bin(name: str) -> Path:
    return serverkit.venv_dir(ENV_NAME) / "bin" / name


# ---------------------------------------------------------------- install


def cmd_install(args: argparse.Namespace) -> int:
    t0 = time.monotonic()
    was_current = serverkit.env_is_current(ENV_NAME)
    vdir = serverkit.ensure_env(ENV_NAME, force=args.force)
    r = subprocess.run(
        [str(vdir / "bin" / "python"), "-c",
         "import importlib.metadata as m; print(m.version('apache-airflow'), m.version('li-airflow-backfill-plugin'))"],
        capture_output=True, text=True)
    if r.returncode != 0:
        log(f"venv {vdir} is broken:\n{r.stderr}")
        return 1
    airflow_v, plugin_v = r.stdout.split()
    took = time.monotonic() - t0
    if was_current and not args.force:
        log(f"{vdir} is current: apache-airflow {airflow_v}, li-airflow-backfill-plugin {plugin_v}")
    else:
        log(f"installed apache-airflow {airflow_v}, li-airflow-backfill-plugin {plugin_v} in {took:.1f}s at {vdir}")
    return 0


# ---------------------------------------------------------------- start


def server_env(home: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    vbin = str(venv_bin("python").parent)
    env.pop("VIRTUAL_ENV", None)
    env.pop("PYTHONPATH", None)
    env.update({
        "PATH": os.pathsep.join([vbin, env.get("PATH", "/usr/bin:/bin")]),
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(home / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(home / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__EXECUTOR": "SequentialExecutor",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
        "AIRFLOW__CORE__FERNET_KEY": "",
        # Serialized DAGs are what the webserver (and so the plugin's dag_id check) sees.
        "AIRFLOW__CORE__MIN_SERIALIZED_DAG_UPDATE_INTERVAL": "1",
        "AIRFLOW__CORE__MIN_SERIALIZED_DAG_FETCH_INTERVAL": "1",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__DATABASE__LOAD_DEFAULT_CONNECTIONS": "False",
        "AIRFLOW__API__AUTH_BACKENDS": "airflow.api.auth.backend.basic_auth",
        "AIRFLOW__WEBSERVER__WEB_SERVER_HOST": "127.0.0.1",
        "AIRFLOW__WEBSERVER__WEB_SERVER_PORT": str(port),
        "AIRFLOW__WEBSERVER__BASE_URL": f"http://127.0.0.1:{port}",
        "AIRFLOW__WEBSERVER__SECRET_KEY": "li-backfill-live-tests-secret-key",
        "AIRFLOW__WEBSERVER__WORKERS": "2",
        "AIRFLOW__WEBSERVER__EXPOSE_CONFIG": "False",
        "AIRFLOW__WEBSERVER__WARN_DEPLOYMENT_EXPOSURE": "False",
        # Fast scheduling on 2 cores: new files (the generated backfill DAGs) are listed every 2 s
        # and re-parsed at most every 2 s (defaults: 300 s and 30 s).
        "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "1",
        "AIRFLOW__SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME": "0.5",
        "AIRFLOW__SCHEDULER__DAG_DIR_LIST_INTERVAL": "2",
        "AIRFLOW__SCHEDULER__MIN_FILE_PROCESS_INTERVAL": "2",
        "AIRFLOW__SCHEDULER__PARSING_PROCESSES": "1",
        "AIRFLOW__SCHEDULER__PRINT_STATS_INTERVAL": "600",
        "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "False",
        "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_HOST": "127.0.0.1",
        "AIRFLOW__METRICS__STATSD_ON": "False",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
        "AIRFLOW__LOGGING__DAG_PROCESSOR_MANAGER_LOG_LOCATION": str(home / "logs" / "dag_processor_manager.log"),
        "AIRFLOW__SCHEDULER__CHILD_PROCESS_LOG_DIRECTORY": str(home / "logs" / "scheduler"),
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
        "PYTHONWARNINGS": "ignore",
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
    })
    return env


def basic_auth(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}", "Accept": "application/json"}


def get_json(url: str, auth: dict[str, str] | None = None) -> tuple[int, object] | None:
    res = serverkit.http_get(url, headers=auth)
    if res is None:
        return None
    try:
        return res[0], json.loads(res[1] or b"null")
    except ValueError:
        return res[0], None


def run_logged(argv: list[str], env: dict[str, str], logfile: Path, cwd: Path, timeout: float = 600) -> int:
    with open(logfile, "ab") as fh:
        return subprocess.run(argv, env=env, cwd=str(cwd), stdin=subprocess.DEVNULL, stdout=fh,
                              stderr=subprocess.STDOUT, timeout=timeout).returncode


def health_problems(url: str, auth: dict[str, str], wait_quiet: bool) -> list[str]:
    """What is not ready yet (empty when healthy)."""
    h = get_json(f"{url}/health")
    if h is None:
        return ["webserver does not answer"]
    if h[0] != 200 or not isinstance(h[1], dict):
        return [f"/health answered {h[0]}"]
    problems = [f"{k} {v.get('status')}" for k, v in h[1].items()
                if isinstance(v, dict) and v.get("status") != "healthy"]
    if problems:
        return problems
    r = get_json(f"{url}/api/v1/plugins/backfills", auth)
    if r is None or r[0] != 200:
        return [f"plugin list answered {r[0] if r else None}"]
    for dag_id in [TEST_DAG_ID] + SYSTEM_DAG_IDS:
        r = get_json(f"{url}/api/v1/dags/{dag_id}/details", auth)
        if r is None or r[0] != 200:
            return [f"DAG {dag_id} not known to the webserver yet"]
    if wait_quiet:
        for dag_id in SYSTEM_DAG_IDS:
            r = get_json(f"{url}/api/v1/dags/{dag_id}/dagRuns", auth)
            if r is None or r[0] != 200 or not isinstance(r[1], dict):
                return [f"dag runs of {dag_id}: {r[0] if r else None}"]
            runs = r[1].get("dag_runs", [])
            if not runs:
                return [f"first run of {dag_id} not created yet"]
            busy = [x["dag_run_id"] for x in runs if x.get("state") not in ("success", "failed")]
            if busy:
                return [f"{dag_id} run {busy[0]} not finished"]
    return []


def cmd_start(args: argparse.Namespace) -> int:
    if not serverkit.env_is_current(ENV_NAME):
        log(f"{serverkit.venv_dir(ENV_NAME)} is missing or stale; run: {sys.argv[0]} install")
        return 2
    t0 = time.monotonic()
    port = args.port or serverkit.free_port()
    home = Path(tempfile.mkdtemp(prefix=HOME_PREFIX))
    (home / "dags").mkdir()
    (home / "plugins").mkdir()
    logs = home / "proc-logs"
    logs.mkdir()
    for f in sorted(DAGS_SRC.glob("*.py")):
        shutil.copy2(f, home / "dags" / f.name)
    (home / "webserver_config.py").write_text(WEBSERVER_CONFIG.format(csrf=bool(args.csrf)))
    env = server_env(home, port)
    airflow = str(venv_bin("airflow"))
    state_path = Path(args.state)
    url = f"http://127.0.0.1:{port}"
    state: dict = {
        "url": url,
        "port": port,
        "airflow_home": str(home),
        "dags_folder": str(home / "dags"),
        "backfill_user_dags": str(home / "dags" / "backfill_user_dags"),
        "state_file": str(state_path),
        "pids": {},
        "logs": {},
        "users": {u: p for u, p, _ in USERS},
        "started_at": time.time(),
    }

    def save() -> None:
        state_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = state_path.with_name(state_path.name + ".tmp")
        tmp.write_text(json.dumps(state, indent=2))
        tmp.replace(state_path)

    save()
    timings: dict[str, float] = {}
    init_log = logs / "db-init.log"
    state["logs"]["db-init"] = str(init_log)
    rc = run_logged([airflow, "db", "init"], env, init_log, home)
    timings["db_init"] = round(time.monotonic() - t0, 1)
    if rc != 0:
        log(f"airflow db init failed (exit {rc}):\n{serverkit.tail(init_log)}")
        save()
        stop_state(state, state_path)
        return 1

    # The scheduler can start now (it needs no users); the users are created meanwhile.
    procs = {
        "scheduler": [airflow, "scheduler", "--skip-serve-logs"],
    }
    for name, argv in procs.items():
        lf = logs / f"{name}.log"
        state["pids"][name] = serverkit.spawn(argv, env, lf, home).pid
        state["logs"][name] = str(lf)
        save()
    t1 = time.monotonic()
    users_log = logs / "users.log"
    state["logs"]["users"] = str(users_log)
    rc = run_logged([str(venv_bin("python")), "-c", CREATE_USERS, json.dumps(USERS)], env, users_log, home)
    timings["users"] = round(time.monotonic() - t1, 1)
    if rc != 0:
        log(f"creating users failed (exit {rc}):\n{serverkit.tail(users_log)}")
        stop_state(state, state_path)
        return 1
    lf = logs / "webserver.log"
    state["pids"]["webserver"] = serverkit.spawn(
        [airflow, "webserver", "-H", "127.0.0.1", "-p", str(port)], env, lf, home).pid
    state["logs"]["webserver"] = str(lf)
    save()

    auth = basic_auth(USERS[0][0], USERS[0][1])
    deadline = time.monotonic() + args.timeout
    problems: list[str] = ["not checked"]
    t_web = None
    while time.monotonic() < deadline:
        problems = health_problems(url, auth, wait_quiet=False)
        if not problems:
            break
        if t_web is None and problems != ["webserver does not answer"]:
            t_web = time.monotonic() - t0
        dead = [n for n, pid in state["pids"].items() if not serverkit.pid_alive(pid)]
        if dead:
            problems = [f"process(es) exited early: {dead}"]
            break
        time.sleep(0.5)
    timings["to_healthy"] = round(time.monotonic() - t0, 1)
    if not problems and not args.no_wait_quiet:
        while time.monotonic() < deadline:
            problems = health_problems(url, auth, wait_quiet=True)
            if not problems:
                break
            time.sleep(0.5)
        timings["to_quiet"] = round(time.monotonic() - t0, 1)
    if t_web is not None:
        timings["webserver_answers"] = round(t_web, 1)
    if problems:
        for name, lf in state["logs"].items():
            log(f"---- {name} ({lf}) ----\n{serverkit.tail(Path(lf))}")
        log(f"not healthy within {args.timeout:.0f}s ({'; '.join(problems)}); stopping")
        stop_state(state, state_path)
        return 1
    try:
        state["listening"] = serverkit.check_listeners(list(state["pids"].values()), "Airflow")
    except RuntimeError as e:
        log(str(e))
        stop_state(state, state_path)
        return 1
    state["startup_seconds"] = timings
    save()
    log(f"Airflow 2.5.3 + backfill plugin healthy at {url}: {json.dumps(timings)}; "
        f"listening: {', '.join(state['listening'])}")
    exports = {
        "LI_BACKFILL_URL": url,
        "LI_BACKFILL_USERNAME": USERS[0][0],
        "LI_BACKFILL_PASSWORD": USERS[0][1],
        "LI_BACKFILL_VIEWER_USERNAME": USERS[1][0],
        "LI_BACKFILL_VIEWER_PASSWORD": USERS[1][1],
        "LI_BACKFILL_TEST_DAG": TEST_DAG_ID,
        "LI_BACKFILL_STATE": str(state_path),
    }
    lines = [f"export {k}={v}" for k, v in exports.items()]
    Path(args.env_file).write_text("\n".join(lines) + "\n")
    print(f"# state file: {state_path}")
    print("\n".join(lines), flush=True)
    return 0


# ---------------------------------------------------------------- stop / status


def stop_state(state: dict, state_path: Path | None) -> None:
    pgids = [int(p) for p in state.get("pids", {}).values()]
    serverkit.stop_groups(pgids, MARKER, grace=STOP_GRACE, prefix="li_backfill_server")
    home = state.get("airflow_home")
    if home and Path(home).name.startswith(HOME_PREFIX) and Path(home).parent == Path(tempfile.gettempdir()):
        shutil.rmtree(home, ignore_errors=True)
    if state_path is not None and state_path.exists():
        try:
            state_path.unlink()
        except OSError:
            pass


def load_state(path: str) -> dict | None:
    try:
        return json.loads(Path(path).read_text())
    except FileNotFoundError:
        return None


def cmd_stop(args: argparse.Namespace) -> int:
    try:
        state = load_state(args.state)
    except json.JSONDecodeError as e:
        log(f"{args.state} is not valid JSON ({e}); nothing stopped")
        return 1
    if state is None:
        log(f"{args.state} does not exist: nothing to stop")
        return 0
    stop_state(state, Path(args.state))
    log(f"stopped Airflow at {state.get('url')}")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    state = load_state(args.state)
    if state is None:
        log(f"{args.state} does not exist")
        return 1
    alive = {n: serverkit.pid_alive(p) for n, p in state["pids"].items()}
    auth = basic_auth(USERS[0][0], USERS[0][1])
    problems = health_problems(state["url"], auth, wait_quiet=False)
    print(json.dumps({"url": state["url"], "alive": alive, "problems": problems,
                      "listening": serverkit.check_listeners(list(state["pids"].values()), "Airflow")},
                     indent=2))
    return 0 if not problems and all(alive.values()) else 1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("install", help="create/refresh .cache/venvs/li-backfill from its lock file")
    p.add_argument("--force", action="store_true", help="reinstall even if the venv is current")
    p.set_defaults(func=cmd_install)
    p = sub.add_parser("start", help="start webserver and scheduler on 127.0.0.1")
    p.add_argument("--port", type=int, default=0, help="default: a free port")
    p.add_argument("--state", required=True, help="state file to write")
    p.add_argument("--env-file", required=True, help="write the export lines to this file")
    p.add_argument("--timeout", type=float, default=HEALTH_TIMEOUT)
    p.add_argument("--no-wait-quiet", action="store_true",
                   help="do not wait for the system DAGs' first scheduled runs to finish")
    p.add_argument("--csrf", action="store_true",
                   help="keep Flask-WTF CSRF protection on (Airflow's default), to observe its 400s")
    p.set_defaults(func=cmd_start)
    p = sub.add_parser("stop", help="stop the recorded process groups and remove the temp home")
    p.add_argument("--state", required=True)
    p.set_defaults(func=cmd_stop)
    p = sub.add_parser("status", help="health and listening sockets of a started server")
    p.add_argument("--state", required=True)
    p.set_defaults(func=cmd_status)
    args = ap.parse_args()
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
