"""Decode speed of the official Python client (apache-airflow-client) on the benchmark payloads.

Two paths per payload, on exactly the bytes the Rust benchmark decodes:
  * response path: ``ApiClient.response_deserialize`` on a ``RESTResponse`` holding the body,
    which is what ``DagRunApi.get_dag_runs(...)`` runs after the HTTP call (decode the bytes,
    ``json.loads``, then ``Model.from_dict`` -> pydantic validation, nested models included);
  * ``Model.model_validate_json(bytes)``: pydantic-core parsing and validating in one step.

Usage: python decode.py --payloads DIR [--reps 10] [--warmup 0]
(One untimed call per path, checking the object count, always precedes the timed ones.)
Prints one JSON object: per payload and path, every repetition's time in ns.
"""

import argparse
import gc
import json
import os
import sys
import time

from airflow_client.client import ApiClient, Configuration
from airflow_client.client import models
from airflow_client.client.rest import RESTResponse


class _Raw:
    """What urllib3 hands RESTResponse: status, reason, headers, data."""

    def __init__(self, body: bytes):
        self.status = 200
        self.reason = "OK"
        self.headers = {"content-type": "application/json"}
        self.data = body


PAYLOADS = [
    ("dag_runs", "dag_runs.json", "DAGRunCollectionResponse", "dag_runs"),
    ("task_instances", "task_instances.json", "TaskInstanceCollectionResponse", "task_instances"),
]


def timed(fn, reps, warmup):
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(reps):
        gc.collect()
        t = time.perf_counter_ns()
        fn()
        out.append(time.perf_counter_ns() - t)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--payloads", required=True)
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=0)
    args = ap.parse_args()

    client = ApiClient(Configuration(host="http://127.0.0.1:1"))
    result = {}
    for key, file, type_name, field in PAYLOADS:
        with open(os.path.join(args.payloads, file), "rb") as f:
            body = f.read()
        model = getattr(models, type_name)

        def response_path():
            resp = RESTResponse(_Raw(body))
            resp.read()
            data = client.response_deserialize(resp, {"200": type_name}).data
            return data

        def validate_json():
            return model.model_validate_json(body)

        # Both must really decode everything.
        n1 = len(getattr(response_path(), field))
        n2 = len(getattr(validate_json(), field))
        result[key] = {
            "bytes": len(body),
            "objects": n1,
            "objects_model_validate_json": n2,
            "response_deserialize_ns": timed(response_path, args.reps, args.warmup),
            "model_validate_json_ns": timed(validate_json, args.reps, args.warmup),
        }
        print(f"python decode {key}: done", file=sys.stderr)
    json.dump(result, sys.stdout)
    print()


if __name__ == "__main__":
    main()
