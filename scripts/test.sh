#!/usr/bin/env bash
# The project's one test command (README, CI): static checks, unit/snapshot/compile/mock tests,
# then the live suites against real servers (127.0.0.1 only): Apache Airflow of every supported
# line, Airflow 2.5.3 with LinkedIn's backfill plugin, and Mage. Each server is installed from its
# committed lock file scripts/locks/<env>.txt (exact versions and hashes, resolved as of a fixed
# date; scripts/serverkit.py) into .cache/venvs/<env>.
#
# Environment:
#   LIVE=skip                skip every live suite (said loudly; never skipped silently)
#   AIRFLOW_LIVE=skip        skip the Airflow suites; LI_BACKFILL_LIVE=skip, MAGE_LIVE=skip likewise
#   AIRFLOW_VERSIONS="3.3.2 3.2.2 3.1.8 3.0.6"
#                            the Airflow versions to install, start and test, one after the other
#                            (default: these four, every supported line; each needs a lock file)
#   LIVE_OVERLAP=0           start each server only after the previous one stopped (default 1:
#                            the next server starts while the current suite runs)
#   AIRFLOW_URL=http://...   run the Airflow suite against this already-running server instead
#                            (with AIRFLOW_USERNAME / AIRFLOW_PASSWORD; its DAGs folder must hold
#                            tests/dags/); no Airflow is installed or started. LI_BACKFILL_URL and
#                            MAGE_URL likewise (the variables each suite reads are in its
#                            tests/live.rs)
#   AIRFLOW_JWT_EXPIRATION_SECONDS
#                            token lifetime given to the Airflow servers started here (default
#                            20), so the re-login test sees tokens expire
set -euo pipefail

cd "$(dirname "$0")/.."

started_at=$(date +%s)
step() { printf '\n==> %s  (+%ss)\n' "$*" "$(($(date +%s) - started_at))"; }
# Free space on the project's file system, and what the build and the server installs take.
disk() {
    echo "disk: $(df -Ph . | awk 'NR == 2 { print $4 }') free; target/ $(du -sh target 2>/dev/null | cut -f1 || echo 0)," \
        ".cache/ $(du -sh .cache 2>/dev/null | cut -f1 || echo 0)"
}

PYTHON=${PYTHON:-python3}
LIVE_ARGS=(--ignored --test-threads=1)
CRATES=(airflow-client li-backfill-client mage-client)

disk
step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy (workspace, all targets, -D warnings)"
cargo clippy --workspace --all-targets --quiet -- -D warnings

step "generated code is fresh (cargo xtask codegen --check)"
cargo xtask codegen --check

step "pinned specs match their recorded sha256 (cargo xtask spec verify)"
cargo xtask spec verify

for c in "${CRATES[@]}"; do
    step "rustdoc of $c (-D warnings)"
    RUSTDOCFLAGS="-D warnings" cargo doc -p "$c" --no-deps --quiet
done

step "unit, snapshot, compile, fuzz, conformance, mock-server and decode tests"
cargo test --workspace

# ------------------------------------------------------------------------------ live suites
# A target is one server to install, start, test and stop: airflow-<version>, li-backfill, mage.
summary=()
failed=()
targets=()

# The harness script of a target and the crate whose tests/live.rs runs against it.
script_of() {
    case $1 in
    airflow-*) echo scripts/airflow_server.py ;;
    li-backfill) echo scripts/li_backfill_server.py ;;
    mage) echo scripts/mage_server.py ;;
    esac
}
crate_of() {
    case $1 in
    airflow-*) echo airflow-client ;;
    li-backfill) echo li-backfill-client ;;
    mage) echo mage-client ;;
    esac
}
# The arguments of `install` / `start` (after the script), beyond --state and --env-file.
install_args() {
    case $1 in
    airflow-*) echo install --version "${1#airflow-}" ;;
    *) echo install ;;
    esac
}
start_args() {
    case $1 in
    airflow-*) echo start --version "${1#airflow-}" --jwt-expiration-seconds "$jwt" ;;
    *) echo start ;;
    esac
}

jwt=${AIRFLOW_JWT_EXPIRATION_SECONDS:-20}
overlap=${LIVE_OVERLAP:-1}
external=() # crates whose suite runs against a server given in the environment
# The variable that skipped a product: LIVE, or the product's own ($1).
skipped_by() { if [[ "${LIVE:-}" == "skip" ]]; then echo LIVE; else echo "$1"; fi; }

# Each product: skipped, an external server, or targets to start.
if [[ "${LIVE:-}" == "skip" || "${AIRFLOW_LIVE:-}" == "skip" ]]; then
    summary+=("Airflow: SKIPPED ($(skipped_by AIRFLOW_LIVE)=skip)")
elif [[ -n "${AIRFLOW_URL:-}" ]]; then
    : "${AIRFLOW_USERNAME:?AIRFLOW_URL is set: also set AIRFLOW_USERNAME}"
    : "${AIRFLOW_PASSWORD:?AIRFLOW_URL is set: also set AIRFLOW_PASSWORD}"
    external+=(airflow-client)
else
    read -r -a versions <<<"${AIRFLOW_VERSIONS:-3.3.2 3.2.2 3.1.8 3.0.6}"
    if [[ ${#versions[@]} -eq 0 ]]; then
        echo "AIRFLOW_VERSIONS is empty: name at least one version, or set AIRFLOW_LIVE=skip" >&2
        exit 2
    fi
    for v in "${versions[@]}"; do targets+=("airflow-$v"); done
fi
for product in LI_BACKFILL:li-backfill MAGE:mage; do
    prefix=${product%%:*}
    target=${product#*:}
    skip_var=${prefix}_LIVE
    url_var=${prefix}_URL
    if [[ "${LIVE:-}" == "skip" || "${!skip_var:-}" == "skip" ]]; then
        summary+=("$target: SKIPPED ($(skipped_by "$skip_var")=skip)")
    elif [[ -n "${!url_var:-}" ]]; then
        external+=("$(crate_of "$target")")
    else
        targets+=("$target")
    fi
done

if [[ ${#targets[@]} -gt 0 || ${#external[@]} -gt 0 ]]; then
    step "building the live test binaries"
    for c in "${CRATES[@]}"; do cargo test -p "$c" --test live --no-run --quiet; done
fi

# Runs crate $1's live suite; $2 names the server in the summary. Returns the suite's status.
run_suite() {
    local t0 status=0
    t0=$(date +%s)
    cargo test -p "$1" --test live -- "${LIVE_ARGS[@]}" || status=$?
    suite_seconds=$(($(date +%s) - t0))
    if [[ $status -eq 0 ]]; then
        summary+=("$2: passed (suite ${suite_seconds}s${3:+; $3})")
    else
        summary+=("$2: FAILED (suite ${suite_seconds}s)")
        failed+=("$2")
    fi
    return "$status"
}

for c in "${external[@]}"; do
    step "$c: live suite against the server given in the environment"
    run_suite "$c" "$c at the given server" || true
done

if [[ ${#targets[@]} -gt 0 ]]; then
    disk
    for t in "${targets[@]}"; do
        step "$t: install from scripts/locks/$t.txt (cached in .cache/venvs/$t)"
        # shellcheck disable=SC2046
        "$PYTHON" "$(script_of "$t")" $(install_args "$t")
    done

    state_dir=$(mktemp -d)
    starting_pid="" # the background `start`, while one runs
    stop_servers() {
        # A start in progress records each process in its state file as it spawns it: let it
        # finish (it gives up after its health timeout), then stop every server still recorded
        # (`stop` removes the state file of a server it stopped).
        if [[ -n "$starting_pid" ]]; then
            wait "$starting_pid" 2>/dev/null || true
            starting_pid=""
        fi
        local s t
        for s in "$state_dir"/state-*.json; do
            [[ -f "$s" ]] || continue
            t=${s##*/state-}
            t=${t%.json}
            "$PYTHON" "$(script_of "$t")" stop --state "$s" || true
        done
    }
    trap 'stop_servers; rm -rf "$state_dir"' EXIT
    trap 'exit 130' INT TERM

    # Starts target $1 in the background: its messages go to $state_dir/start-$1.log, its exit
    # status and duration to $state_dir/start-$1.rc. Only one start runs at a time.
    start_server() {
        (
            t0=$(date +%s)
            rc=0
            # shellcheck disable=SC2046
            "$PYTHON" "$(script_of "$1")" $(start_args "$1") --state "$state_dir/state-$1.json" \
                --env-file "$state_dir/env-$1" >/dev/null 2>"$state_dir/start-$1.log" || rc=$?
            echo "$rc $(($(date +%s) - t0))" >"$state_dir/start-$1.rc"
        ) &
        starting_pid=$!
    }

    # Prints the tails of the logs a state file records (after a failed suite).
    print_logs() {
        "$PYTHON" - "$1" <<'EOF' >&2 || true
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
    }

    # With LIVE_OVERLAP=1 (the default) the next server starts while the current suite runs
    # (each server has its own home, database and ports). Measured for the four Airflow lines on
    # the 2-core machine (busy with other work too): 601 s and 526 s instead of 715 s and 631 s
    # one server at a time, every suite passing either way.
    start_server "${targets[0]}"
    for i in "${!targets[@]}"; do
        t=${targets[$i]}
        next=${targets[$((i + 1))]:-}
        step "$t: start (127.0.0.1 only)"
        t0=$(date +%s)
        wait "$starting_pid" || true
        starting_pid=""
        waited=$(($(date +%s) - t0))
        read -r rc started <"$state_dir/start-$t.rc"
        cat "$state_dir/start-$t.log" >&2
        if [[ $rc -ne 0 ]]; then
            echo "starting $t FAILED (exit $rc)" >&2
            summary+=("$t: FAILED to start (exit $rc after ${started}s)")
            failed+=("$t")
            if [[ -n "$next" ]]; then start_server "$next"; fi
            continue
        fi
        how="healthy after ${started}s"
        if [[ $waited -lt $started ]]; then how+=", ${waited}s of it waited for"; fi
        if [[ "$overlap" == "1" && -n "$next" ]]; then start_server "$next"; fi

        step "$t: live suite ($(crate_of "$t"))"
        env_file="$state_dir/env-$t"
        state_file="$state_dir/state-$t.json"
        # shellcheck disable=SC1090
        source "$env_file"
        export AIRFLOW_JWT_EXPIRATION_SECONDS="$jwt"
        if ! run_suite "$(crate_of "$t")" "$t" "$how"; then
            echo "---- $t server logs (tails) ----" >&2
            print_logs "$state_file"
        fi
        # The next suite sees none of this server's variables.
        while read -r _ assignment; do unset "${assignment%%=*}"; done <"$env_file"
        "$PYTHON" "$(script_of "$t")" stop --state "$state_file" || true
        if [[ "$overlap" != "1" && -n "$next" ]]; then start_server "$next"; fi
    done
fi

step "done"
disk
echo "Live suites:"
printf '  %s\n' "${summary[@]}"
echo "total: $(($(date +%s) - started_at))s"
if [[ ${#failed[@]} -gt 0 ]]; then
    echo "FAILED: ${failed[*]}" >&2
    exit 1
fi
