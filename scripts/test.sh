#!/usr/bin/env bash
# The project's one test command (README, CI): static checks, unit/snapshot/compile/mock tests,
# then the live suite against real Airflow servers (127.0.0.1 only), each installed from its
# committed lock file scripts/locks/airflow-<version>.txt (exact versions and hashes, resolved as
# of a few weeks after that release; scripts/serverkit.py) into .cache/venvs/airflow-<version>.
#
# Environment:
#   AIRFLOW_LIVE=skip        skip the live suite (said loudly; never skipped silently)
#   AIRFLOW_VERSIONS="3.3.2 3.2.2 3.1.8 3.0.6"
#                            the server versions to install, start and test, one after the other
#                            (default: these four, every supported line; each needs a lock file)
#   AIRFLOW_OVERLAP=0        start each server only after the previous one stopped (default 1:
#                            the next server starts while the current suite runs)
#   AIRFLOW_URL=http://...   run the live suite against this already-running server instead
#                            (with AIRFLOW_USERNAME / AIRFLOW_PASSWORD; its DAGs folder must hold
#                            tests/dags/); nothing is installed or started
#   AIRFLOW_JWT_EXPIRATION_SECONDS
#                            token lifetime given to the servers started here (default 20), so
#                            the re-login test sees tokens expire
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)

started_at=$(date +%s)
step() { printf '\n==> %s  (+%ss)\n' "$*" "$(($(date +%s) - started_at))"; }

PYTHON=${PYTHON:-python3}
LIVE_ARGS=(--ignored --test-threads=1)

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy (workspace, all targets, -D warnings)"
cargo clippy --workspace --all-targets --quiet -- -D warnings

step "generated code is fresh (cargo xtask codegen --check)"
cargo xtask codegen --check

step "rustdoc of the generated crate (-D warnings)"
RUSTDOCFLAGS="-D warnings" cargo doc -p airflow-client --no-deps --quiet

step "unit, snapshot, compile, mock-server and decode tests"
cargo test --workspace

# ------------------------------------------------------------------------------ live suite
summary=()

if [[ "${AIRFLOW_LIVE:-}" == "skip" ]]; then
    step "LIVE TESTS SKIPPED because AIRFLOW_LIVE=skip"
    summary+=("live suite: SKIPPED (AIRFLOW_LIVE=skip)")
elif [[ -n "${AIRFLOW_URL:-}" ]]; then
    step "live suite against the running server at $AIRFLOW_URL"
    : "${AIRFLOW_USERNAME:?AIRFLOW_URL is set: also set AIRFLOW_USERNAME}"
    : "${AIRFLOW_PASSWORD:?AIRFLOW_URL is set: also set AIRFLOW_PASSWORD}"
    cargo test -p airflow-client --test live -- "${LIVE_ARGS[@]}"
    summary+=("live suite: passed against $AIRFLOW_URL")
else
    read -r -a versions <<<"${AIRFLOW_VERSIONS:-3.3.2 3.2.2 3.1.8 3.0.6}"
    if [[ ${#versions[@]} -eq 0 ]]; then
        echo "AIRFLOW_VERSIONS is empty: name at least one version, or set AIRFLOW_LIVE=skip" >&2
        exit 2
    fi
    jwt=${AIRFLOW_JWT_EXPIRATION_SECONDS:-20}
    overlap=${AIRFLOW_OVERLAP:-1}
    step "building the live test binary"
    cargo test -p airflow-client --test live --no-run --quiet

    for v in "${versions[@]}"; do
        step "Airflow $v: install from scripts/locks/airflow-$v.txt (cached in .cache/venvs/airflow-$v)"
        "$PYTHON" scripts/airflow_server.py install --version "$v"
    done

    state_dir=$(mktemp -d)
    starting_pid="" # the background `airflow_server.py start`, while one runs
    stop_servers() {
        # A start in progress records each process in its state file as it spawns it: let it
        # finish (it gives up after its health timeout), then stop every server still recorded
        # (`airflow_server.py stop` removes the state file of a server it stopped).
        if [[ -n "$starting_pid" ]]; then
            wait "$starting_pid" 2>/dev/null || true
            starting_pid=""
        fi
        local s
        for s in "$state_dir"/state-*.json; do
            if [[ -f "$s" ]]; then "$PYTHON" scripts/airflow_server.py stop --state "$s" || true; fi
        done
    }
    trap 'stop_servers; rm -rf "$state_dir"' EXIT
    trap 'exit 130' INT TERM

    # Starts Airflow $1 in the background: its messages go to $state_dir/start-$1.log, its exit
    # status and duration to $state_dir/start-$1.rc. Only one start runs at a time.
    start_server() {
        (
            t0=$(date +%s)
            rc=0
            "$PYTHON" scripts/airflow_server.py start --version "$1" --state "$state_dir/state-$1.json" \
                --env-file "$state_dir/env-$1" --jwt-expiration-seconds "$jwt" \
                >/dev/null 2>"$state_dir/start-$1.log" || rc=$?
            echo "$rc $(($(date +%s) - t0))" >"$state_dir/start-$1.rc"
        ) &
        starting_pid=$!
    }

    # With AIRFLOW_OVERLAP=1 (the default) the next version's server starts while the current
    # suite runs (each server has its own home, database and ports). Measured on the 2-core
    # machine (busy with other work too): the four suites took 601 s and 526 s instead of 715 s
    # and 631 s one server at a time, every suite passing either way. AIRFLOW_OVERLAP=0 starts
    # each server only after the previous one stopped.
    start_server "${versions[0]}"
    for i in "${!versions[@]}"; do
        v=${versions[$i]}
        next=${versions[$((i + 1))]:-}
        step "Airflow $v: start (api-server, execution api-server, dag-processor, scheduler on 127.0.0.1)"
        t0=$(date +%s)
        wait "$starting_pid" || true
        starting_pid=""
        waited=$(($(date +%s) - t0))
        read -r rc started <"$state_dir/start-$v.rc"
        cat "$state_dir/start-$v.log" >&2
        if [[ $rc -ne 0 ]]; then
            echo "starting Airflow $v FAILED (exit $rc)" >&2
            exit "$rc"
        fi
        # shellcheck disable=SC1090
        source "$state_dir/env-$v"
        export AIRFLOW_JWT_EXPIRATION_SECONDS="$jwt"
        how="healthy after ${started}s"
        if [[ $waited -lt $started ]]; then how+=", ${waited}s of it waited for"; fi
        if [[ "$overlap" == "1" && -n "$next" ]]; then
            start_server "$next"
        fi

        step "Airflow $v: live suite at $AIRFLOW_URL"
        t0=$(date +%s)
        status=0
        cargo test -p airflow-client --test live -- "${LIVE_ARGS[@]}" || status=$?
        took=$(($(date +%s) - t0))
        if [[ $status -ne 0 ]]; then
            echo "---- server logs (tails) ----" >&2
            "$PYTHON" - "$AIRFLOW_STATE" <<'EOF' >&2 || true
import json, sys
from pathlib import Path
state = json.loads(Path(sys.argv[1]).read_text())
for name, path in state.get("logs", {}).items():
    p = Path(path)
    if p.exists():
        lines = p.read_text(errors="replace").splitlines()[-30:]
        print(f"---- {name} ({p}) ----")
        print("\n".join(lines))
EOF
        fi
        "$PYTHON" scripts/airflow_server.py stop --state "$AIRFLOW_STATE" || true
        unset AIRFLOW_URL AIRFLOW_USERNAME AIRFLOW_PASSWORD AIRFLOW_STATE AIRFLOW_VERSION
        if [[ $status -ne 0 ]]; then
            echo "live suite FAILED against Airflow $v" >&2
            exit "$status"
        fi
        summary+=("live suite: passed against Airflow $v ($how; suite ${took}s)")
        if [[ "$overlap" != "1" && -n "$next" ]]; then
            start_server "$next"
        fi
    done
fi

step "done"
echo "Server versions tested:"
printf '  %s\n' "${summary[@]}"
echo "total: $(($(date +%s) - started_at))s"
