"""DAG whose run fails: one task succeeds, one raises, one is upstream_failed.

Used by the live tests to collect failed task instances and their logs.
"""

from __future__ import annotations

import logging

import pendulum
from airflow.sdk import DAG, task

log = logging.getLogger(__name__)

with DAG(
    dag_id="live_fail",
    description="DAG that fails (live tests)",
    schedule=None,
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    is_paused_upon_creation=False,
    max_active_runs=8,
    default_args={"retries": 0},
    tags=["live", "failing"],
):

    @task
    def ok():
        log.info("live_fail ok runs")
        return "fine"

    @task
    def boom(_value: str):
        log.info("live_fail boom is about to raise")
        raise RuntimeError("live_fail: deliberate failure")

    @task
    def never(_value):
        log.info("never printed")

    never(boom(ok()))
