#!/usr/bin/env python3
"""Install, start and stop a real Apache Airflow 3 server for the live tests.

Python 3.10+, standard library only.

    python3 scripts/airflow_server.py install --version 3.3.2
    python3 scripts/airflow_server.py start --version 3.3.2 [--port P] [--state FILE]
                                            [--jwt-expiration-seconds N] [--env-file FILE]
    python3 scripts/airflow_server.py stop --state FILE
    python3 scripts/airflow_server.py status --state FILE

Everything listens on 127.0.0.1 only:
  * `airflow api-server --host 127.0.0.1 --port P --apps core` (REST API, auth: AIRFLOW_URL);
  * `airflow api-server --host 127.0.0.1 --port Q --apps execution` (the execution API the tasks
    call; a separate process so that tasks and tests do not share an event loop - see "SQLite
    and concurrency" below);
  * `airflow scheduler --skip-serve-logs` (otherwise its log server binds 0.0.0.0:8793);
  * `airflow dag-processor` opens no listening socket;
  * no triggerer is started (its log server would bind 0.0.0.0:8794) - the test DAGs defer nothing.
`start` checks this itself after the server is healthy (reads /proc/net/tcp*) and
fails if any socket owned by the started process groups listens on a non-loopback address.

`install` creates <repo>/.cache/venvs/airflow-<version> (git-ignored) from the committed lock file
scripts/locks/airflow-<version>.txt through scripts/serverkit.py: exact versions with hashes,
resolved as of a cut-off date a few weeks after the release (see the `# exclude-newer:` line of
scripts/locks/airflow-<version>.in), so the install does not depend on what PyPI serves today.
A version without a lock file is refused; add one with
    python3 scripts/serverkit.py lock airflow-<version>
after writing scripts/locks/airflow-<version>.in like the others.
The process helpers (own process groups, the loopback check, stopping) are serverkit's too.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import serverkit  # noqa: E402  (scripts/serverkit.py)
from serverkit import check_listeners, free_port, http_get, pid_alive, spawn, stop_groups, tail  # noqa: E402

REPO = serverkit.REPO
DAGS_FOLDER = REPO / "tests" / "dags"

# Fixed, >= 64 bytes: tokens stay valid across a restart of the same server home.
JWT_SECRET = "airflow-client-live-tests-jwt-secret-0123456789abcdef0123456789abcdef0123456789"
USERS = {"admin": "admin", "viewer": "viewer"}
USER_ROLES = {"admin": "admin", "viewer": "viewer"}

SIMPLE_AUTH_MANAGER = "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"

HEALTH_TIMEOUT = 120.0
STOP_GRACE = 15.0


def log(msg: str) -> None:
    serverkit.log("airflow_server", msg)


def env_name(version: str) -> str:
    return f"airflow-{version}"


def lock_file(version: str) -> Path:
    return serverkit.LOCKS / f"{env_name(version)}.txt"


def locked_versions() -> list[str]:
    names = [p.name[len("airflow-"):-len(".txt")] for p in serverkit.LOCKS.glob("airflow-*.txt")]
    return sorted(names, key=version_tuple, reverse=True)


def missing_lock_message(version: str) -> str:
    rel = lock_file(version).relative_to(REPO)
    return (f"no lock file for Airflow {version}: {rel} does not exist (locked versions: "
            f"{', '.join(locked_versions()) or 'none'}). To add one, write "
            f"{rel.with_suffix('.in')} like the others (python and exclude-newer header lines) "
            f"and run: python3 scripts/serverkit.py lock {env_name(version)}")


def venv_dir(version: str) -> Path:
    return serverkit.venv_dir(env_name(version))


def venv_bin(version: str, name: str) -> Path:
    return venv_dir(version) / "bin" / name


def installed_version(version: str) -> str | None:
    py = venv_bin(version, "python")
    airflow = venv_bin(version, "airflow")
    if not py.exists() or not airflow.exists():
        return None
    try:
        out = subprocess.run(
            [str(py), "-c", "import importlib.metadata as m; print(m.version('apache-airflow'))"],
            capture_output=True, text=True, timeout=120, check=True,
        ).stdout.strip()
        return out or None
    except (subprocess.SubprocessError, OSError):
        return None


# ---------------------------------------------------------------- install

def cmd_install(args: argparse.Namespace) -> int:
    version = args.version
    if not lock_file(version).exists():
        log(missing_lock_message(version))
        return 2
    name = env_name(version)
    if serverkit.env_is_current(name) and not args.force and installed_version(version) == version:
        log(f"venv {venv_dir(version)} already has apache-airflow {version} "
            f"(as locked in {lock_file(version).relative_to(REPO)})")
        return 0
    # A venv that is stamped current but does not import apache-airflow {version} is broken:
    # rebuild it from the lock.
    force = args.force or serverkit.env_is_current(name)
    t0 = time.monotonic()
    serverkit.ensure_env(name, force=force)
    have = installed_version(version)
    if have != version:
        log(f"install finished but apache-airflow reports {have!r}")
        return 1
    log(f"installed apache-airflow {version} in {time.monotonic() - t0:.0f}s at {venv_dir(version)}")
    return 0


# ---------------------------------------------------------------- start

def server_env(version: str, home: Path, port: int, exec_port: int, jwt_exp: int | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env.update({
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_FOLDER),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__PARALLELISM": "4",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{exec_port}/execution/",
        "AIRFLOW__CORE__AUTH_MANAGER": SIMPLE_AUTH_MANAGER,
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": ",".join(f"{u}:{r}" for u, r in USER_ROLES.items()),
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(home / "simple_auth_manager_passwords.json"),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONNECT_ARGS": f"{DB_SETTINGS_MODULE}.CONNECT_ARGS",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONNECT_ARGS_ASYNC": f"{DB_SETTINGS_MODULE}.CONNECT_ARGS_ASYNC",
        "AIRFLOW__API_AUTH__JWT_SECRET": JWT_SECRET,
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{port}/",
        "AIRFLOW__API__WORKERS": "1",
        "AIRFLOW__API__EXPOSE_CONFIG": "False",  # GET /config -> 403, which the tests check
        # Make new DAG files show up fast and keep the scheduler light on 2 shared cores.
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
        "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "10",
        "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "2",
        # The scheduler health server would bind 0.0.0.0:8974; it is off by default, keep it off
        # and point it at loopback should someone turn it on.
        "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "False",
        "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_HOST": "127.0.0.1",
        "AIRFLOW__METRICS__STATSD_ON": "False",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
        "AIRFLOW__CORE__MAX_ACTIVE_RUNS_PER_DAG": "16",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
        "PYTHONWARNINGS": "ignore",
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
    })
    if jwt_exp is not None:
        env["AIRFLOW__API_AUTH__JWT_EXPIRATION_TIME"] = str(jwt_exp)
    return env


def write_passwords(home: Path) -> None:
    (home / "simple_auth_manager_passwords.json").write_text(json.dumps(USERS))


# SQLite and concurrency. SQLite has one write lock for the whole database, and the API server
# runs some synchronous database work on its event loop (from 3.2 on, the audit-log dependency
# commits there). Two concurrent requests to one API server process that both write can then
# deadlock inside it: the event loop waits for the write lock while the request holding it waits
# for the event loop to run its commit. The waiting side gives up after SQLite's busy timeout:
# with the default 5 s the request fails ("database is locked": 500, or 503 for backfill
# writes on 3.3); with a long timeout it stalls that long, then fails. Hence:
#   * the live tests run one at a time against this server (scripts/test.sh uses
#     --test-threads=1);
#   * the execution API, which running tasks call while the tests make their requests, is
#     served by a second api-server process (`--apps execution`, own port, own event loop;
#     [core] execution_api_server_url points there). With both apps in one process, a test's
#     audited write colliding with a task's state update failed with a 500 after exactly the
#     busy timeout (measured on 3.2.2 and 3.3.2: 6 such 500s in 120 s of one-at-a-time variable
#     writes while live_fast runs; none with the split, nor on 3.0.6/3.1.8 either way);
#   * the busy timeout is raised to 20 s so that the scheduler, the DAG processor and the
#     execution API (other processes, which never wait for the REST API server) holding the
#     lock on 2 busy cores does not make requests fail.
# Airflow imports connect args from a dotted path; a module with them is put on PYTHONPATH.
DB_SETTINGS_MODULE = "airflow_live_db_settings"
DB_SETTINGS = """\
# Written by scripts/airflow_server.py: SQLite connect args for the live-test server.
CONNECT_ARGS = {"timeout": 20}
CONNECT_ARGS_ASYNC = {"timeout": 20}
"""


def write_db_settings(home: Path) -> Path:
    pylib = home / "pylib"
    pylib.mkdir(exist_ok=True)
    (pylib / f"{DB_SETTINGS_MODULE}.py").write_text(DB_SETTINGS)
    return pylib


def cmd_start(args: argparse.Namespace) -> int:
    version = args.version
    if not lock_file(version).exists():
        log(missing_lock_message(version))
        return 2
    if not serverkit.env_is_current(env_name(version)) or installed_version(version) != version:
        log(f"apache-airflow {version} is not installed (or its venv is older than "
            f"{lock_file(version).relative_to(REPO)}); run: {sys.argv[0]} install --version {version}")
        return 2
    port = args.port or free_port()
    exec_port = free_port()
    while exec_port == port:
        exec_port = free_port()
    home = Path(tempfile.mkdtemp(prefix=f"airflow-{version}-"))
    logs = home / "proc-logs"
    logs.mkdir()
    write_passwords(home)
    pylib = write_db_settings(home)
    env = server_env(version, home, port, exec_port, args.jwt_expiration_seconds)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(pylib), env.get("PYTHONPATH")]))
    airflow = str(venv_bin(version, "airflow"))
    state_path = Path(args.state) if args.state else home / "state.json"
    state = {
        "version": version,
        "url": f"http://127.0.0.1:{port}",
        "port": port,
        "execution_api_url": f"http://127.0.0.1:{exec_port}/execution/",
        "airflow_home": str(home),
        "dags_folder": str(DAGS_FOLDER),
        "state_file": str(state_path),
        "pids": {},
        "logs": {},
        "users": {"admin": "admin", "viewer": "viewer"},
        "jwt_expiration_seconds": args.jwt_expiration_seconds,
        "started_at": time.time(),
    }

    def save() -> None:
        state_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = state_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, indent=2))
        tmp.replace(state_path)

    save()
    t0 = time.monotonic()
    mig_log = logs / "db-migrate.log"
    with open(mig_log, "wb") as fh:
        r = subprocess.run([airflow, "db", "migrate"], env=env, cwd=str(home), stdin=subprocess.DEVNULL,
                           stdout=fh, stderr=subprocess.STDOUT, timeout=600)
    state["logs"]["db-migrate"] = str(mig_log)
    if r.returncode != 0:
        log(f"airflow db migrate failed (exit {r.returncode}):\n{tail(mig_log)}")
        save()
        return 1
    t_mig = time.monotonic() - t0

    # Two api-server processes: the REST API (what the tests call) and, on its own port, the
    # execution API (what running tasks call); see "SQLite and concurrency" above.
    procs = {
        "api-server": [airflow, "api-server", "--host", "127.0.0.1", "--port", str(port),
                       "--workers", "1", "--apps", "core"],
        "execution-api": [airflow, "api-server", "--host", "127.0.0.1", "--port", str(exec_port),
                          "--workers", "1", "--apps", "execution"],
        "dag-processor": [airflow, "dag-processor"],
        "scheduler": [airflow, "scheduler", "--skip-serve-logs"],
    }
    for name, argv in procs.items():
        lf = logs / f"{name}.log"
        p = spawn(argv, env, lf, home)
        state["pids"][name] = p.pid
        state["logs"][name] = str(lf)
        save()

    health = [f"{state['url']}/api/v2/monitor/health", f"{state['execution_api_url']}health"]
    deadline = time.monotonic() + args.timeout
    ok = False
    while time.monotonic() < deadline:
        while health and (res := http_get(health[0])) and res[0] == 200:
            health.pop(0)
        if not health:
            ok = True
            break
        dead = [n for n, pid in state["pids"].items() if not pid_alive(pid)]
        if dead:
            log(f"process(es) exited early: {dead}")
            break
        time.sleep(0.5)
    if not ok:
        for name, lf in state["logs"].items():
            log(f"---- {name} ({lf}) ----\n{tail(Path(lf))}")
        log(f"server did not become healthy within {args.timeout:.0f}s; stopping it")
        stop_state(state, state_path)
        return 1
    t_healthy = time.monotonic() - t0
    state["startup_seconds"] = {"db_migrate": round(t_mig, 1), "to_healthy": round(t_healthy, 1)}
    try:
        state["listening"] = check_listeners(list(state["pids"].values()), "Airflow")
    except RuntimeError as e:
        log(str(e))
        stop_state(state, state_path)
        return 1
    save()
    log(f"Airflow {version} healthy at {state['url']} after {t_healthy:.1f}s "
        f"(db migrate {t_mig:.1f}s); listening: {', '.join(state['listening'])}")
    exports = {
        "AIRFLOW_URL": state["url"],
        "AIRFLOW_USERNAME": "admin",
        "AIRFLOW_PASSWORD": "admin",
        "AIRFLOW_VIEWER_USERNAME": "viewer",
        "AIRFLOW_VIEWER_PASSWORD": "viewer",
        "AIRFLOW_VERSION": version,
        "AIRFLOW_STATE": str(state_path),
    }
    lines = [f"export {k}={v}" for k, v in exports.items()]
    if args.env_file:
        Path(args.env_file).write_text("\n".join(lines) + "\n")
    print(f"# state file: {state_path}")
    print("\n".join(lines), flush=True)
    return 0


def version_tuple(v: str) -> tuple[int, ...]:
    return tuple(int(x) for x in v.split(".")[:3] if x.isdigit())


# ---------------------------------------------------------------- stop

def stop_state(state: dict, state_path: Path | None) -> None:
    # Only groups we recorded whose leader is still an airflow process (serverkit.stop_groups
    # checks the command line), TERM then KILL after STOP_GRACE seconds.
    pgids = [int(p) for p in state.get("pids", {}).values()]
    stop_groups(pgids, b"airflow", grace=STOP_GRACE, prefix="airflow_server")
    home = state.get("airflow_home")
    if home and Path(home).name.startswith("airflow-") and Path(home).parent == Path(tempfile.gettempdir()):
        shutil.rmtree(home, ignore_errors=True)
    if state_path is not None and state_path.exists() and not str(state_path).startswith(str(home)):
        try:
            state_path.unlink()
        except OSError:
            pass


def cmd_stop(args: argparse.Namespace) -> int:
    state_path = Path(args.state)
    try:
        state = json.loads(state_path.read_text())
    except FileNotFoundError:
        log(f"{state_path} does not exist: nothing to stop")
        return 0
    except json.JSONDecodeError as e:
        log(f"{state_path} is not valid JSON ({e}); nothing stopped")
        return 1
    stop_state(state, state_path)
    log(f"stopped Airflow {state.get('version')} at {state.get('url')}")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    state = json.loads(Path(args.state).read_text())
    alive = {n: pid_alive(p) for n, p in state["pids"].items()}
    res = http_get(f"{state['url']}/api/v2/monitor/health")
    print(json.dumps({"url": state["url"], "alive": alive,
                      "health": res[1].decode(errors="replace") if res else None,
                      "listening": check_listeners(list(state["pids"].values()), "Airflow")}, indent=2))
    return 0 if res and res[0] == 200 else 1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("install", help="create .cache/venvs/airflow-VERSION from scripts/locks/airflow-VERSION.txt")
    p.add_argument("--version", required=True)
    p.add_argument("--force", action="store_true", help="reinstall even if the venv is current")
    p.set_defaults(func=cmd_install)
    p = sub.add_parser("start", help="start api-server, dag-processor and scheduler")
    p.add_argument("--version", required=True)
    p.add_argument("--port", type=int, default=0, help="default: a free port")
    p.add_argument("--state", help="state file to write (default: <airflow_home>/state.json)")
    p.add_argument("--env-file", help="also write the export lines to this file")
    p.add_argument("--jwt-expiration-seconds", type=int, default=None)
    p.add_argument("--timeout", type=float, default=HEALTH_TIMEOUT)
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
