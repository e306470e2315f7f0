#!/usr/bin/env python3
"""Install, start and stop a real Apache Airflow 3 server for the live tests.

Python 3.11+, standard library only.

    python3 scripts/airflow_server.py install --version 3.3.2
    python3 scripts/airflow_server.py start --version 3.3.2 [--port P] [--state FILE]
                                            [--jwt-expiration-seconds N] [--env-file FILE]
    python3 scripts/airflow_server.py stop --state FILE
    python3 scripts/airflow_server.py status --state FILE

Everything listens on 127.0.0.1 only:
  * `airflow api-server --host 127.0.0.1 --port P` (REST API, auth, execution API);
  * `airflow scheduler --skip-serve-logs` (otherwise its log server binds 0.0.0.0:8793);
  * `airflow dag-processor` opens no listening socket;
  * no triggerer is started (its log server would bind 0.0.0.0:8794) - the test DAGs defer nothing.
`start` checks this itself after the server is healthy (parses `ss -ltn` or /proc/net/tcp*) and
fails if any socket owned by the started process groups listens on a non-loopback address.

The venv lives in <repo>/.cache/airflow/venv-<version> (git-ignored). The Airflow constraints file is
not reachable from here (GitHub), so pip resolves freely, plus the pins in
scripts/airflow-requirements-<version>.txt when such a file exists.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CACHE = REPO / ".cache" / "airflow"
DAGS_FOLDER = REPO / "tests" / "dags"

# Fixed, >= 64 bytes: tokens stay valid across a restart of the same server home.
JWT_SECRET = "airflow-client-live-tests-jwt-secret-0123456789abcdef0123456789abcdef0123456789"
USERS = {"admin": "admin", "viewer": "viewer"}
USER_ROLES = {"admin": "admin", "viewer": "viewer"}

SIMPLE_AUTH_MANAGER = "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"

HEALTH_TIMEOUT = 120.0
STOP_GRACE = 15.0


def log(msg: str) -> None:
    print(f"[airflow_server] {msg}", file=sys.stderr, flush=True)


def venv_dir(version: str) -> Path:
    return CACHE / f"venv-{version}"


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
    have = installed_version(version)
    if have == version and not args.force:
        log(f"venv {venv_dir(version)} already has apache-airflow {have}")
        return 0
    vdir = venv_dir(version)
    if vdir.exists():
        log(f"removing broken/incomplete venv {vdir}")
        shutil.rmtree(vdir)
    vdir.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    # Build in a temporary sibling and rename at the end: an interrupted install leaves no
    # half-working venv behind. (venvs are not relocatable, so build in the final place but mark
    # completion with a stamp file checked by installed_version via the import.)
    subprocess.run([sys.executable, "-m", "venv", str(vdir)], check=True)
    pip = [str(venv_bin(version, "python")), "-m", "pip", "install", "--quiet",
           "--disable-pip-version-check", "--no-input"]
    subprocess.run(pip + ["--upgrade", "pip"], check=True)
    reqs = [f"apache-airflow=={version}"]
    pins = REPO / "scripts" / f"airflow-requirements-{version}.txt"
    if pins.exists():
        reqs += ["-r", str(pins)]
        log(f"using pins from {pins}")
    try:
        subprocess.run(pip + reqs, check=True)
    except subprocess.CalledProcessError:
        shutil.rmtree(vdir, ignore_errors=True)
        raise
    have = installed_version(version)
    if have != version:
        log(f"install finished but apache-airflow reports {have!r}")
        return 1
    log(f"installed apache-airflow {version} in {time.monotonic() - t0:.0f}s at {vdir}")
    return 0


# ---------------------------------------------------------------- start

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_ok(url: str, timeout: float = 3.0) -> tuple[int, bytes] | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
    except (urllib.error.URLError, OSError, TimeoutError):
        return None


def tail(path: Path, lines: int = 40) -> str:
    try:
        data = path.read_text(errors="replace").splitlines()
    except OSError:
        return "(no log)"
    return "\n".join(data[-lines:])


def server_env(version: str, home: Path, port: int, jwt_exp: int | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env.update({
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_FOLDER),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__PARALLELISM": "4",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
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


def spawn(argv: list[str], env: dict[str, str], logfile: Path, cwd: Path) -> subprocess.Popen:
    fh = open(logfile, "ab")
    try:
        return subprocess.Popen(
            argv, env=env, cwd=str(cwd), stdin=subprocess.DEVNULL, stdout=fh, stderr=subprocess.STDOUT,
            start_new_session=True,  # own process group: stop kills exactly this group
        )
    finally:
        fh.close()


def listening_sockets() -> list[tuple[str, int, int]]:
    """(local address, port, inode) of every listening TCP socket, from /proc/net/tcp{,6}."""
    out = []
    for name, v6 in (("/proc/net/tcp", False), ("/proc/net/tcp6", True)):
        try:
            lines = Path(name).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            if len(parts) < 10 or parts[3] != "0A":  # 0A = LISTEN
                continue
            addr_hex, port_hex = parts[1].split(":")
            port = int(port_hex, 16)
            if v6:
                raw = bytes.fromhex(addr_hex)
                words = b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4))
                addr = socket.inet_ntop(socket.AF_INET6, words)
            else:
                addr = socket.inet_ntoa(bytes.fromhex(addr_hex)[::-1])
            out.append((addr, port, int(parts[9])))
    return out


def socket_inodes_of(pids: set[int]) -> set[int]:
    inodes = set()
    for pid in pids:
        fd_dir = Path(f"/proc/{pid}/fd")
        try:
            for fd in fd_dir.iterdir():
                try:
                    target = os.readlink(fd)
                except OSError:
                    continue
                if target.startswith("socket:["):
                    inodes.add(int(target[8:-1]))
        except OSError:
            continue
    return inodes


def group_members(pgids: list[int]) -> set[int]:
    members = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            # pgrp is the 5th field after the parenthesised comm
            fields = stat[stat.rindex(")") + 2:].split()
            if int(fields[2]) in pgids:
                members.add(int(entry.name))
        except (OSError, ValueError, IndexError):
            continue
    return members


def check_listeners(pgids: list[int]) -> list[str]:
    """Describe the listening sockets of our process groups; raise if any is not on loopback."""
    members = group_members(pgids)
    inodes = socket_inodes_of(members)
    found, bad = [], []
    for addr, port, inode in listening_sockets():
        if inode in inodes:
            desc = f"{addr}:{port}"
            found.append(desc)
            if not (addr.startswith("127.") or addr == "::1" or addr == "::ffff:127.0.0.1"):
                bad.append(desc)
    if bad:
        raise RuntimeError(f"Airflow processes listen on non-loopback addresses: {bad}")
    return sorted(set(found))


def write_passwords(home: Path) -> None:
    (home / "simple_auth_manager_passwords.json").write_text(json.dumps(USERS))


# SQLite and concurrency. SQLite has one write lock for the whole database, and the API server
# runs some synchronous database work on its event loop (the audit-log dependency commits there).
# Two concurrent API requests that both write can then deadlock inside the API server: the event
# loop waits for the write lock while the request holding it waits for the event loop to run its
# commit. The waiting side gives up after SQLite's busy timeout: with the default 5 s the
# request fails ("database is locked": 500, or 503 for backfill creation); with a long timeout
# it stalls that long. Hence: the live tests run one at a time against this server
# (scripts/test.sh uses --test-threads=1), and the busy timeout is raised to 20 s so that the
# scheduler and DAG processor (other processes, which never wait for the API server) holding
# the lock on 2 busy cores does not make requests fail. Airflow imports connect args from a
# dotted path; a module with them is put on PYTHONPATH.
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
    if installed_version(version) != version:
        log(f"apache-airflow {version} is not installed; run: {sys.argv[0]} install --version {version}")
        return 2
    port = args.port or free_port()
    home = Path(tempfile.mkdtemp(prefix=f"airflow-{version}-"))
    logs = home / "proc-logs"
    logs.mkdir()
    write_passwords(home)
    pylib = write_db_settings(home)
    env = server_env(version, home, port, args.jwt_expiration_seconds)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(pylib), env.get("PYTHONPATH")]))
    airflow = str(venv_bin(version, "airflow"))
    state_path = Path(args.state) if args.state else home / "state.json"
    state = {
        "version": version,
        "url": f"http://127.0.0.1:{port}",
        "port": port,
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

    procs = {
        "api-server": [airflow, "api-server", "--host", "127.0.0.1", "--port", str(port)],
        "dag-processor": [airflow, "dag-processor"],
        "scheduler": [airflow, "scheduler", "--skip-serve-logs"],
    }
    if version_tuple(version) >= (3, 0, 0):
        procs["api-server"] += ["--workers", "1"]
    for name, argv in procs.items():
        lf = logs / f"{name}.log"
        p = spawn(argv, env, lf, home)
        state["pids"][name] = p.pid
        state["logs"][name] = str(lf)
        save()

    health = f"{state['url']}/api/v2/monitor/health"
    deadline = time.monotonic() + args.timeout
    ok = False
    while time.monotonic() < deadline:
        res = http_ok(health)
        if res and res[0] == 200:
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
        state["listening"] = check_listeners(list(state["pids"].values()))
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


def pid_alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


# ---------------------------------------------------------------- stop

def group_alive(pgid: int) -> bool:
    return any(pid_alive(p) for p in group_members([pgid]))


def stop_state(state: dict, state_path: Path | None) -> None:
    pgids = [int(p) for p in state.get("pids", {}).values()]
    # Only kill a group whose leader is one we recorded and which is still its own group
    # (start_new_session=True makes pid == pgid). A pid reused by an unrelated process would
    # not lead a group of that id, except by freak chance; check the command line too.
    ours = []
    for pgid in pgids:
        members = group_members([pgid])
        if not members:
            continue
        try:
            cmdline = Path(f"/proc/{pgid}/cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            cmdline = b""
        if cmdline and b"airflow" not in cmdline:
            log(f"pid {pgid} is no longer an airflow process ({cmdline[:80]!r}); not touching it")
            continue
        ours.append(pgid)
    for pgid in ours:
        try:
            os.killpg(pgid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + STOP_GRACE
    while time.monotonic() < deadline and any(group_alive(g) for g in ours):
        time.sleep(0.3)
    for pgid in ours:
        if group_alive(pgid):
            log(f"process group {pgid} still alive after {STOP_GRACE:.0f}s: SIGKILL")
            try:
                os.killpg(pgid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(group_alive(g) for g in ours):
        time.sleep(0.2)
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
    res = http_ok(f"{state['url']}/api/v2/monitor/health")
    print(json.dumps({"url": state["url"], "alive": alive,
                      "health": res[1].decode(errors="replace") if res else None,
                      "listening": check_listeners(list(state["pids"].values()))}, indent=2))
    return 0 if res and res[0] == 200 else 1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("install", help="create the venv and pip install apache-airflow")
    p.add_argument("--version", required=True)
    p.add_argument("--force", action="store_true", help="reinstall even if the venv works")
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
