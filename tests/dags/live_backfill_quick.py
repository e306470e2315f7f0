"""Daily DAG whose backfills complete quickly (used to see a backfill reach completion)."""

from __future__ import annotations

from datetime import timedelta

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
    # A try can fail for the test server's own reasons (SQLite refusing a write while the
    # scheduler commits, a busy machine): Airflow tries again, as a production deployment
    # would be configured to. The live test asserts that every run of the backfill succeeds,
    # and shows the task logs when one does not.
    default_args={"retries": 2, "retry_delay": timedelta(seconds=2)},
    tags=["live", "backfill"],
):

    @task
    def instant():
        return 1

    instant()
