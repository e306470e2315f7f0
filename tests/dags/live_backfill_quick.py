"""Daily DAG whose backfills complete quickly (used to see a backfill reach completion)."""

from __future__ import annotations

import pendulum
from airflow.sdk import DAG, task

with DAG(
    dag_id="live_backfill_quick",
    description="Daily DAG with one instant task (live tests)",
    schedule="@daily",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    is_paused_upon_creation=False,
    max_active_runs=4,
    tags=["live", "backfill"],
):

    @task
    def instant():
        return 1

    instant()
