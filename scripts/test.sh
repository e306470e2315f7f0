#!/usr/bin/env bash
# The project's one test command (README, CI): static checks, unit/snapshot/compile/mock tests,
# then the live suite against real Airflow servers installed from PyPI (127.0.0.1 only).
#
# Environment:
#   AIRFLOW_LIVE=skip        skip the live suite (said loudly; never skipped silently)
#   AIRFLOW_VERSIONS="3.3.2 3.1.8"
#                            the server versions to install, start and test (default: both)
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
    versions=${AIRFLOW_VERSIONS:-"3.3.2 3.1.8"}
    jwt=${AIRFLOW_JWT_EXPIRATION_SECONDS:-20}
    step "building the live test binary"
    cargo test -p airflow-client --test live --no-run --quiet

    state_dir=$(mktemp -d)
    current_state=""
    stop_server() {
        if [[ -n "$current_state" && -f "$current_state" ]]; then
            "$PYTHON" scripts/airflow_server.py stop --state "$current_state" || true
        fi
        current_state=""
    }
    trap 'stop_server; rm -rf "$state_dir"' EXIT
    trap 'exit 130' INT TERM

    for v in $versions; do
        step "Airflow $v: install (cached in .cache/airflow/venv-$v)"
        "$PYTHON" scripts/airflow_server.py install --version "$v"

        step "Airflow $v: start (api-server, dag-processor, scheduler on 127.0.0.1)"
        current_state="$state_dir/state-$v.json"
        env_file="$state_dir/env-$v"
        "$PYTHON" scripts/airflow_server.py start --version "$v" --state "$current_state" \
            --env-file "$env_file" --jwt-expiration-seconds "$jwt" >/dev/null
        # shellcheck disable=SC1090
        source "$env_file"
        export AIRFLOW_JWT_EXPIRATION_SECONDS="$jwt"

        step "Airflow $v: live suite at $AIRFLOW_URL"
        t0=$(date +%s)
        status=0
        cargo test -p airflow-client --test live -- "${LIVE_ARGS[@]}" || status=$?
        took=$(($(date +%s) - t0))
        if [[ $status -ne 0 ]]; then
            echo "---- server logs (tails) ----" >&2
            "$PYTHON" - "$current_state" <<'EOF' >&2 || true
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
        stop_server
        unset AIRFLOW_URL AIRFLOW_USERNAME AIRFLOW_PASSWORD AIRFLOW_STATE
        if [[ $status -ne 0 ]]; then
            echo "live suite FAILED against Airflow $v" >&2
            exit "$status"
        fi
        summary+=("live suite: passed against Airflow $v (${took}s)")
    done
fi

step "done"
echo "Server versions tested:"
printf '  %s\n' "${summary[@]}"
echo "total: $(($(date +%s) - started_at))s"
