"""Daily DAG for backfills: tasks sleep a few seconds so a backfill can be paused or cancelled
while it is still active.

Unpaused on creation (runs of a backfill of a paused DAG stay queued) with `catchup=False`, so
the scheduler creates only the one run of the latest interval by itself; backfills are created
explicitly over dates in the past (start_date 2024-01-01).
"""

from __future__ import annotations

import logging
import time

import pendulum
from airflow.sdk import DAG, task

log = logging.getLogger(__name__)

with DAG(
    dag_id="live_backfill",
    description="Daily DAG for backfill tests (live tests)",
    schedule="@daily",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    is_paused_upon_creation=False,
    max_active_runs=2,
    tags=["live", "backfill"],
):

    @task
    def slow_step(**context):
        log.info("live_backfill step for %s", context.get("logical_date"))
        time.sleep(3)
        return "done"

    @task
    def after(_value: str):
        time.sleep(1)
        log.info("live_backfill after")

    after(slow_step())
