"""DAG that is never run: the live tests pause/unpause it and read its details, so that those
tests cannot disturb the DAGs other tests trigger."""

from __future__ import annotations

import pendulum
from airflow.sdk import DAG, task

with DAG(
    dag_id="live_patch",
    description="DAG for pause/unpause and details tests (live tests)",
    schedule=None,
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    is_paused_upon_creation=True,
    tags=["live", "patch"],
):

    @task
    def noop():
        return None

    noop()
