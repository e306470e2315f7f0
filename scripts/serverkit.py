"""Shared plumbing of the live-test server scripts (standard library only, Python 3.10+).

Two jobs:

* **Reproducible Python environments.** Every server the test command installs comes from a
  committed lock file, `scripts/locks/<env>.txt` (`uv pip compile --generate-hashes` output,
  resolved with `--exclude-newer` at the server's release date), compiled from
  `scripts/locks/<env>.in`, whose header says which Python minor and which cut-off date:

      # python: 3.11
      # exclude-newer: 2026-06-10
      apache-airflow==3.2.2

  `uv` itself is pinned by hash in `scripts/locks/uv.txt` and installed into `.cache/tools/`.
  `ensure_env(name)` creates `.cache/venvs/<env>` with exactly the locked versions (hashes
  checked) and re-syncs it when the lock file changes; `python3 scripts/serverkit.py lock ENV`
  re-resolves a lock after its `.in` changed.

* **Process groups on loopback.** `spawn` starts each server process in its own process group,
  `check_listeners` fails if any socket of those groups listens on a non-loopback address,
  `stop_groups` stops exactly those groups (TERM, then KILL after a grace period).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LOCKS = REPO / "scripts" / "locks"
CACHE = REPO / ".cache"
TOOLS = CACHE / "tools"
VENVS = CACHE / "venvs"
UV_CACHE = CACHE / "uv"
STAMP = ".lock-sha256"


def log(prefix: str, msg: str) -> None:
    print(f"[{prefix}] {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- Python interpreters


def python_for(minor: str) -> str:
    """An interpreter of Python `minor` (e.g. "3.10"): pyenv's newest patch release of it, else
    `python<minor>` on PATH. uv is never allowed to download one (no internet here)."""
    pyenv = shutil.which("pyenv")
    if pyenv:
        out = subprocess.run([pyenv, "versions", "--bare"], capture_output=True, text=True)
        candidates = [v.strip() for v in out.stdout.splitlines()
                      if re.fullmatch(rf"{re.escape(minor)}\.\d+", v.strip())]
        candidates.sort(key=lambda v: tuple(int(p) for p in v.split(".")))
        if candidates:
            env = dict(os.environ, PYENV_VERSION=candidates[-1])
            r = subprocess.run([pyenv, "which", "python"], capture_output=True, text=True, env=env)
            if r.returncode == 0 and r.stdout.strip():
                return r.stdout.strip()
    exe = shutil.which(f"python{minor}")
    if exe:
        return exe
    raise RuntimeError(f"no Python {minor} interpreter found (pyenv versions / python{minor} on PATH)")


# ---------------------------------------------------------------- uv and locked environments


def uv() -> str:
    """Path of the pinned uv binary, installing it into .cache/tools on first use."""
    exe = TOOLS / "bin" / "uv"
    lock = LOCKS / "uv.txt"
    digest = sha256(lock)
    if exe.exists() and (TOOLS / STAMP).exists() and (TOOLS / STAMP).read_text() == digest:
        return str(exe)
    if TOOLS.exists():
        shutil.rmtree(TOOLS)
    subprocess.run([sys.executable, "-m", "venv", str(TOOLS)], check=True)
    subprocess.run([str(TOOLS / "bin" / "python"), "-m", "pip", "install", "--quiet",
                    "--disable-pip-version-check", "--no-input", "--require-hashes",
                    "-r", str(lock)], check=True)
    (TOOLS / STAMP).write_text(digest)
    return str(exe)


def uv_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "UV_CACHE_DIR": str(UV_CACHE),
        "UV_PYTHON_DOWNLOADS": "never",
        "UV_NO_PROGRESS": "1",
    })
    env.pop("VIRTUAL_ENV", None)
    return env


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def lock_header(name: str) -> dict[str, str]:
    """The `# key: value` lines at the top of scripts/locks/<name>.in."""
    header = {}
    for line in (LOCKS / f"{name}.in").read_text().splitlines():
        m = re.fullmatch(r"#\s*([a-z-]+):\s*(\S+)\s*", line)
        if m:
            header[m.group(1)] = m.group(2)
    for key in ("python", "exclude-newer"):
        if key not in header:
            raise RuntimeError(f"scripts/locks/{name}.in: missing `# {key}: ...` header line")
    return header


def venv_dir(name: str) -> Path:
    return VENVS / name


def env_is_current(name: str) -> bool:
    vdir = venv_dir(name)
    stamp = vdir / STAMP
    lock = LOCKS / f"{name}.txt"
    return (vdir / "bin" / "python").exists() and stamp.exists() and stamp.read_text() == sha256(lock)


def ensure_env(name: str, force: bool = False) -> Path:
    """.cache/venvs/<name> holding exactly scripts/locks/<name>.txt (hash-checked)."""
    lock = LOCKS / f"{name}.txt"
    if not lock.exists():
        raise RuntimeError(f"{lock} does not exist: run `python3 scripts/serverkit.py lock {name}`")
    vdir = venv_dir(name)
    if env_is_current(name) and not force:
        return vdir
    header = lock_header(name)
    python = python_for(header["python"])
    if vdir.exists():
        shutil.rmtree(vdir)
    vdir.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    try:
        subprocess.run([uv(), "venv", "--quiet", "--python", python, str(vdir)], check=True, env=uv_env())
        env = uv_env()
        env["VIRTUAL_ENV"] = str(vdir)
        subprocess.run([uv(), "pip", "sync", "--quiet", "--require-hashes", str(lock)], check=True, env=env)
    except subprocess.CalledProcessError:
        shutil.rmtree(vdir, ignore_errors=True)
        raise
    (vdir / STAMP).write_text(sha256(lock))
    log("serverkit", f"installed {name} from {lock.relative_to(REPO)} in {time.monotonic() - t0:.0f}s at {vdir}")
    return vdir


def compile_lock(name: str) -> Path:
    """Re-resolves scripts/locks/<name>.txt from <name>.in as of its exclude-newer date."""
    header = lock_header(name)
    src = LOCKS / f"{name}.in"
    out = LOCKS / f"{name}.txt"
    python = python_for(header["python"])
    subprocess.run([
        uv(), "pip", "compile", "--quiet", "--generate-hashes", "--python", python,
        "--exclude-newer", header["exclude-newer"], "--custom-compile-command",
        f"python3 scripts/serverkit.py lock {name}", str(src), "-o", str(out),
    ], check=True, env=uv_env(), cwd=str(LOCKS))
    return out


# ---------------------------------------------------------------- processes


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url: str, timeout: float = 3.0, headers: dict[str, str] | None = None) -> tuple[int, bytes] | None:
    """(status, body) of a GET, or None when nothing answered."""
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
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


def spawn(argv: list[str], env: dict[str, str], logfile: Path, cwd: Path) -> subprocess.Popen:
    """Starts `argv` in its own process group (so stopping it kills exactly that group)."""
    fh = open(logfile, "ab")
    try:
        return subprocess.Popen(
            argv, env=env, cwd=str(cwd), stdin=subprocess.DEVNULL, stdout=fh, stderr=subprocess.STDOUT,
            start_new_session=True,
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


def check_listeners(pgids: list[int], what: str = "server") -> list[str]:
    """The listening sockets of our process groups; raises if any is not on loopback."""
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
        raise RuntimeError(f"{what} processes listen on non-loopback addresses: {bad}")
    return sorted(set(found))


def pid_alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


def group_alive(pgid: int) -> bool:
    return any(pid_alive(p) for p in group_members([pgid]))


def stop_groups(pgids: list[int], marker: bytes, grace: float = 15.0, prefix: str = "serverkit") -> None:
    """Stops the process groups we started: TERM, then KILL after `grace` seconds.

    A group is only touched if its leader still exists and its command line contains `marker`
    (start_new_session makes pid == pgid; a reused pid would not lead a group of that id except
    by freak chance, and the command line check covers that)."""
    ours = []
    for pgid in pgids:
        if not group_members([pgid]):
            continue
        try:
            cmdline = Path(f"/proc/{pgid}/cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            cmdline = b""
        if cmdline and marker not in cmdline:
            log(prefix, f"pid {pgid} is no longer ours ({cmdline[:80]!r}); not touching it")
            continue
        ours.append(pgid)
    for pgid in ours:
        try:
            os.killpg(pgid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(group_alive(g) for g in ours):
        time.sleep(0.3)
    for pgid in ours:
        if group_alive(pgid):
            log(prefix, f"process group {pgid} still alive after {grace:.0f}s: SIGKILL")
            try:
                os.killpg(pgid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(group_alive(g) for g in ours):
        time.sleep(0.2)


# ---------------------------------------------------------------- CLI


def main() -> int:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("lock", help="re-resolve scripts/locks/ENV.txt from ENV.in (as of its exclude-newer date)")
    p.add_argument("env", nargs="+")
    p = sub.add_parser("sync", help="create/refresh .cache/venvs/ENV from its lock file")
    p.add_argument("env", nargs="+")
    p.add_argument("--force", action="store_true")
    p = sub.add_parser("python", help="print the interpreter used for a Python minor version")
    p.add_argument("minor")
    args = ap.parse_args()
    if args.cmd == "lock":
        for name in args.env:
            print(compile_lock(name))
    elif args.cmd == "sync":
        for name in args.env:
            print(ensure_env(name, force=args.force))
    elif args.cmd == "python":
        print(python_for(args.minor))
    return 0


if __name__ == "__main__":
    sys.exit(main())
