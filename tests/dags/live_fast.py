"""Fast DAG that succeeds: three tasks, one pushes XComs, all log a few lines.

Used by the live tests (trigger, wait, task instances, tries, logs, XComs).
Parses under Airflow 3.1.x and 3.3.x (only `airflow.sdk` is used).
"""

from __future__ import annotations

import logging

import pendulum
from airflow.sdk import DAG, task

log = logging.getLogger(__name__)

with DAG(
    dag_id="live_fast",
    description="Fast DAG that succeeds (live tests)",
    schedule=None,
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    is_paused_upon_creation=False,
    max_active_runs=8,
    tags=["live", "fast"],
    doc_md="Three quick tasks; `produce` pushes XComs `return_value` and `answer`.",
    params={"greeting": "hello"},
):

    @task
    def produce(**context):
        for i in range(3):
            log.info("live_fast produce line %d", i)
        context["ti"].xcom_push(key="answer", value=42)
        return {"numbers": [1, 2, 3], "greeting": context["params"].get("greeting")}

    @task
    def consume(value: dict):
        log.info("live_fast consume got %s", value)
        return sum(value["numbers"])

    @task
    def report(total: int):
        log.info("live_fast report total=%s", total)
        print(f"live_fast printed total={total}")

    report(consume(produce()))
