"""Request loop of the official Python client against the benchmarks' local server.

``DagRunApi.get_dag_runs(dag_id, limit=100)`` one call at a time (urllib3 keep-alive pool), the
call users make; each returns a ``DAGRunCollectionResponse`` of 100 validated runs.

Usage: python requests_loop.py --url http://127.0.0.1:PORT [--requests 1000] [--warmup 50]
       [--max-seconds 120]
Prints one JSON object: every request's latency in ns and the wall time.
"""

import argparse
import json
import sys
import time

from airflow_client.client import ApiClient, Configuration
from airflow_client.client.api.dag_run_api import DagRunApi


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--requests", type=int, default=1000)
    ap.add_argument("--warmup", type=int, default=50)
    ap.add_argument("--max-seconds", type=float, default=120.0)
    ap.add_argument("--dag-id", default="bench")
    args = ap.parse_args()

    api = DagRunApi(ApiClient(Configuration(host=args.url.rstrip("/"))))
    for _ in range(args.warmup):
        api.get_dag_runs(args.dag_id, limit=100)
    latencies = []
    items = 0
    started = time.perf_counter_ns()
    deadline = started + int(args.max_seconds * 1e9)
    for _ in range(args.requests):
        t = time.perf_counter_ns()
        page = api.get_dag_runs(args.dag_id, limit=100)
        latencies.append(time.perf_counter_ns() - t)
        items += len(page.dag_runs)
        if t > deadline:
            break
    wall = time.perf_counter_ns() - started
    json.dump({"latencies_ns": latencies, "wall_ns": wall, "items": items}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
