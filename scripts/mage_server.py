#!/usr/bin/env python3
"""Install, start and stop a real Mage (mage-ai 0.9.80) server for the live tests.

Python 3.10+, standard library only.

    python3 scripts/mage_server.py install [--force]
    python3 scripts/mage_server.py start [--port P] --state FILE --env-file FILE [--timeout S]
    python3 scripts/mage_server.py stop --state FILE
    python3 scripts/mage_server.py status --state FILE

* `install` creates .cache/venvs/mage from scripts/locks/mage.txt (serverkit, hash-checked).
* `start` copies tests/mage/project (the committed fixture project: pipeline `bf_test`, one python
  data_loader returning [1, 2, 3]) into a fresh temp dir - Mage writes into its project dir at
  runtime (.ssh_tunnel/aws_emr.json at every start; pipeline and block files and .file_versions/
  on every edit through the API) - and runs
  `mage start <copy> --host 127.0.0.1 --port P` in its own process group, with HOME and
  MAGE_DATA_DIR (SQLite database `mage-ai.db`, pipeline run variables and logs) inside that temp
  dir too. It waits until `/api/status` answers and the owner user can log in, then checks that no
  process of ours listens on a non-loopback address (the web server, the Jupyter kernel's six
  ZMQ ports, the scheduler and its pipeline-run processes), and writes an env file:

      export MAGE_URL=http://127.0.0.1:P
      export MAGE_API_KEY=zkWlN0PkIKSN0C11CfUHUj84OT5XOJ6tDZ6bDRO2
      export MAGE_EMAIL=admin@admin.com
      export MAGE_PASSWORD=admin
      export MAGE_STATE=FILE

* `stop` stops exactly our process groups: the `mage start` group (server, multiprocessing
  manager, scheduler, pipeline-run processes) and the groups of its descendants that left it
  (Jupyter starts each kernel with start_new_session, so the kernel has a group of its own; the
  groups seen are recorded in the state file at start), then checks that none of them survived
  and removes the temp dir.

Tuning for fast backfills: SCHEDULER_TRIGGER_INTERVAL=1 (the scheduler loop that creates block
runs and moves pipeline runs along runs every second instead of every 10 s).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import serverkit  # noqa: E402

ENV_NAME = "mage"
VERSION = "0.9.80"
REPO = serverkit.REPO
PROJECT_FIXTURE = REPO / "tests" / "mage" / "project"
PROJECT_NAME = "project"
TEMP_PREFIX = "mage-live-"

# Mage's built-in frontend OAuth client id (settings/server.py OAUTH2_APPLICATION_CLIENT_ID): the
# only API key the server accepts. Public, the same in every Mage install.
API_KEY = "zkWlN0PkIKSN0C11CfUHUj84OT5XOJ6tDZ6bDRO2"
OWNER_EMAIL = "admin@admin.com"
OWNER_PASSWORD = "admin"

READY_TIMEOUT = 180.0
STOP_GRACE = 15.0
SCHEDULER_TRIGGER_INTERVAL = "1"


def log(msg: str) -> None:
    serverkit.log("mage_server", msg)


def venv() -> Path:
    return serverkit.venv_dir(ENV_NAME)


def marker() -> bytes:
    """Every process of ours runs the venv's python (mage, scheduler, kernels, run processes)."""
    return str(venv()).encode()


# ---------------------------------------------------------------- install


def installed_version() -> str | None:
    if not serverkit.env_is_current(ENV_NAME):
        return None
    try:
        meta = next((venv() / "lib").glob("python3.*/site-packages/mage_ai-*.dist-info/METADATA"))
    except StopIteration:
        return None
    for line in meta.read_text(errors="replace").splitlines():
        if line.startswith("Version:"):
            return line.split(":", 1)[1].strip()
    return None


def cmd_install(args: argparse.Namespace) -> int:
    t0 = time.monotonic()
    serverkit.ensure_env(ENV_NAME, force=args.force)
    have = installed_version()
    if have != VERSION:
        log(f"install finished but mage-ai reports {have!r}")
        return 1
    log(f"mage-ai {have} ready in {venv()} ({time.monotonic() - t0:.1f}s)")
    return 0


# ---------------------------------------------------------------- processes


def proc_table() -> dict[int, tuple[int, int, int]]:
    """pid -> (ppid, pgid, starttime) of every process."""
    out = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            fields = stat[stat.rindex(")") + 2:].split()
            out[int(entry.name)] = (int(fields[1]), int(fields[2]), int(fields[19]))
        except (OSError, ValueError, IndexError):
            continue
    return out


def descendants(root: int) -> set[int]:
    table = proc_table()
    children: dict[int, list[int]] = {}
    for pid, (ppid, _, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    seen, todo = set(), [root]
    while todo:
        pid = todo.pop()
        for c in children.get(pid, []):
            if c not in seen:
                seen.add(c)
                todo.append(c)
    return seen


def our_groups(state: dict) -> list[int]:
    """The server's group plus the groups its descendants made (kernels), recorded or live."""
    leader = int(state["pids"]["mage"])
    groups = {leader}
    groups.update(int(g) for g in state.get("extra_groups", []))
    if serverkit.pid_alive(leader):
        table = proc_table()
        for pid in descendants(leader):
            if pid in table:
                groups.add(table[pid][1])
    return sorted(groups)


def record_groups(state: dict) -> None:
    leader = int(state["pids"]["mage"])
    extra = set(int(g) for g in state.get("extra_groups", []))
    extra.update(g for g in our_groups(state) if g != leader)
    state["extra_groups"] = sorted(extra)


def live_members(pgids: list[int]) -> list[int]:
    return sorted(p for p in serverkit.group_members(pgids) if serverkit.pid_alive(p))


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


# ---------------------------------------------------------------- HTTP


def api(url: str, method: str = "GET", body: dict | None = None, token: str | None = None,
        timeout: float = 10.0) -> tuple[int, dict | None]:
    headers = {"X-API-KEY": API_KEY, "Content-Type": "application/json"}
    if token:
        headers["OAUTH-TOKEN"] = token
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            raw, status = r.read(), r.status
    except urllib.error.HTTPError as e:
        raw, status = e.read(), e.code
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, None


def login(url: str) -> str | None:
    """The inner OAuth token (what OAUTH-TOKEN wants) of the owner user, or None."""
    import base64

    try:
        status, body = api(f"{url}/api/sessions", "POST",
                           {"session": {"email": OWNER_EMAIL, "password": OWNER_PASSWORD}})
    except (urllib.error.URLError, OSError, TimeoutError):
        return None
    jwt = ((body or {}).get("session") or {}).get("token")
    if status != 200 or not jwt:
        return None
    payload = jwt.split(".")[1]
    payload += "=" * (-len(payload) % 4)
    return json.loads(base64.urlsafe_b64decode(payload))["token"]


# ---------------------------------------------------------------- start


def server_env(home: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("MAGE_", "VIRTUAL_ENV", "PYTHON", "JUPYTER", "IPYTHON"))}
    env.update({
        "PATH": f"{venv() / 'bin'}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
        # Everything Mage and Jupyter write outside the project goes under the temp dir.
        "HOME": str(home / "home"),
        # Kernel connection files and multiprocessing's pymp-* dirs land in TMPDIR.
        "TMPDIR": str(home / "tmp"),
        "MAGE_DATA_DIR": str(home / "data"),
        "JUPYTER_RUNTIME_DIR": str(home / "home" / "jupyter-runtime"),
        "IPYTHONDIR": str(home / "home" / "ipython"),
        "REQUIRE_USER_AUTHENTICATION": "1",
        "DEFAULT_OWNER_EMAIL": OWNER_EMAIL,
        "DEFAULT_OWNER_PASSWORD": OWNER_PASSWORD,
        "DEFAULT_OWNER_USERNAME": "admin",
        "DISABLE_AUTO_BROWSER_OPEN": "1",
        "SCHEDULER_TRIGGER_INTERVAL": SCHEDULER_TRIGGER_INTERVAL,
        "MAGE_PUBLIC_HOST": f"http://127.0.0.1:{port}",
        "SERVER_VERBOSITY": "info",
        "ENABLE_OPEN_AI": "0",
        "ENABLE_HUGGING_FACE": "0",
        "PYTHONWARNINGS": "ignore",
        "PYTHONUNBUFFERED": "1",
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
    })
    return env


def port_free(port: int) -> bool:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def save_state(state: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(state, indent=2))
    tmp.replace(path)


def cmd_start(args: argparse.Namespace) -> int:
    if installed_version() != VERSION:
        log(f"mage-ai {VERSION} is not installed (or its lock changed); run: {sys.argv[0]} install")
        return 2
    port = args.port or serverkit.free_port()
    if not port_free(port):
        log(f"port {port} is already in use (Mage would silently move to the next free port)")
        return 1
    home = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX))
    project = home / PROJECT_NAME
    shutil.copytree(PROJECT_FIXTURE, project)
    for d in ("home", "data", "logs", "tmp"):
        (home / d).mkdir()
    state_path = Path(args.state).resolve()
    url = f"http://127.0.0.1:{port}"
    state = {
        "version": VERSION,
        "url": url,
        "port": port,
        "home": str(home),
        "project": str(project),
        "state_file": str(state_path),
        "pids": {},
        "extra_groups": [],
        "logs": {},
        "started_at": time.time(),
    }
    save_state(state, state_path)
    env = server_env(home, port)
    logfile = home / "logs" / "mage.log"
    argv = [str(venv() / "bin" / "mage"), "start", str(project), "--host", "127.0.0.1", "--port", str(port)]
    t0 = time.monotonic()
    proc = serverkit.spawn(argv, env, logfile, home)
    state["pids"]["mage"] = proc.pid
    state["logs"]["mage"] = str(logfile)
    save_state(state, state_path)

    deadline = time.monotonic() + args.timeout
    t_status = None
    ready = False
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log(f"mage exited early with {proc.returncode}")
            break
        record_groups(state)
        if t_status is None:
            res = serverkit.http_get(f"{url}/api/status", timeout=2)
            if res and res[0] == 200:
                t_status = time.monotonic() - t0
        if t_status is not None and login(url):
            ready = True
            break
        time.sleep(0.3)
    if not ready:
        log(f"---- {logfile} ----\n{serverkit.tail(logfile)}")
        log(f"Mage did not become ready within {args.timeout:.0f}s; stopping it")
        stop_state(state, state_path)
        return 1
    t_ready = time.monotonic() - t0
    # The kernel and the scheduler start around the same time as the web server: wait until
    # the scheduler process and the kernel are up before checking every socket.
    kernel_deadline = time.monotonic() + 30
    while time.monotonic() < kernel_deadline:
        record_groups(state)
        cmds = [cmdline(p) for p in live_members(our_groups(state))]
        if any("ipykernel" in c for c in cmds) and len(cmds) >= 3:
            break
        time.sleep(0.3)
    record_groups(state)
    try:
        listening = serverkit.check_listeners(our_groups(state), what="Mage")
    except RuntimeError as e:
        log(str(e))
        stop_state(state, state_path)
        return 1
    if f"127.0.0.1:{port}" not in listening:
        log(f"Mage does not listen on 127.0.0.1:{port} (found {listening}); stopping it")
        stop_state(state, state_path)
        return 1
    state["listening"] = listening
    state["processes"] = {str(p): cmdline(p)[:200] for p in live_members(our_groups(state))}
    state["startup_seconds"] = {"to_status": round(t_status or 0, 1), "to_login": round(t_ready, 1)}
    save_state(state, state_path)
    log(f"Mage {VERSION} ready at {url} after {t_ready:.1f}s (/api/status after {t_status:.1f}s); "
        f"listening: {', '.join(listening)}; process groups {our_groups(state)}")
    exports = {
        "MAGE_URL": url,
        "MAGE_API_KEY": API_KEY,
        "MAGE_EMAIL": OWNER_EMAIL,
        "MAGE_PASSWORD": OWNER_PASSWORD,
        "MAGE_STATE": str(state_path),
    }
    lines = [f"export {k}={v}" for k, v in exports.items()]
    Path(args.env_file).write_text("\n".join(lines) + "\n")
    print(f"# state file: {state_path}")
    print("\n".join(lines), flush=True)
    return 0


# ---------------------------------------------------------------- stop


def stop_state(state: dict, state_path: Path | None) -> bool:
    """Stops our process groups; True when nothing of ours survived."""
    if not state.get("pids"):
        return True
    groups = our_groups(state)
    serverkit.stop_groups(groups, marker(), grace=STOP_GRACE, prefix="mage_server")
    # Processes that left every recorded group (none seen so far, but a run process could
    # setsid): descendants of the leader still alive after it died are re-parented, so look for
    # anything still running from our temp dir or still in our groups.
    left = live_members(groups)
    home = state.get("home")
    ok = not left
    if left:
        log(f"still alive after stop: {[(p, cmdline(p)[:120]) for p in left]}")
    else:
        if home and Path(home).name.startswith(TEMP_PREFIX) and Path(home).parent == Path(tempfile.gettempdir()):
            shutil.rmtree(home, ignore_errors=True)
        if state_path is not None and state_path.exists():
            try:
                state_path.unlink()
            except OSError:
                pass
    return ok


def read_state(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        log(f"{path} does not exist: nothing to do")
        return None


def cmd_stop(args: argparse.Namespace) -> int:
    state_path = Path(args.state)
    try:
        state = read_state(state_path)
    except json.JSONDecodeError as e:
        log(f"{state_path} is not valid JSON ({e}); nothing stopped")
        return 1
    if state is None:
        return 0
    groups = our_groups(state)
    ok = stop_state(state, state_path)
    log(f"stopped Mage at {state.get('url')} (process groups {groups}): "
        f"{'nothing survived' if ok else 'SOME PROCESSES SURVIVED'}")
    return 0 if ok else 1


def cmd_status(args: argparse.Namespace) -> int:
    state = read_state(Path(args.state))
    if state is None:
        return 1
    groups = our_groups(state)
    res = serverkit.http_get(f"{state['url']}/api/status", timeout=3)
    print(json.dumps({
        "url": state["url"],
        "process_groups": groups,
        "processes": {str(p): cmdline(p)[:160] for p in live_members(groups)},
        "status": res[1].decode(errors="replace") if res else None,
        "listening": serverkit.check_listeners(groups, what="Mage"),
    }, indent=2))
    return 0 if res and res[0] == 200 else 1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("install", help="create .cache/venvs/mage from scripts/locks/mage.txt")
    p.add_argument("--force", action="store_true", help="reinstall even if the venv is current")
    p.set_defaults(func=cmd_install)
    p = sub.add_parser("start", help="copy the test project to a temp dir and start Mage on it")
    p.add_argument("--port", type=int, default=0, help="default: a free port")
    p.add_argument("--state", required=True, help="state file to write")
    p.add_argument("--env-file", required=True, help="file to write the export lines to")
    p.add_argument("--timeout", type=float, default=READY_TIMEOUT)
    p.set_defaults(func=cmd_start)
    p = sub.add_parser("stop", help="stop our process groups and remove the temp dir")
    p.add_argument("--state", required=True)
    p.set_defaults(func=cmd_stop)
    p = sub.add_parser("status", help="status, processes and listening sockets of a started server")
    p.add_argument("--state", required=True)
    p.set_defaults(func=cmd_status)
    args = ap.parse_args()
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
