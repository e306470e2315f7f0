"""Origin DAG for the live tests of LinkedIn's backfill plugin (ours, not the plugin's).

Backfills are created from it: the plugin copies this file's source (from Airflow's dag_code
table) into $AIRFLOW_HOME/dags/backfill_user_dags/<backfill_dag_id>.py, renames the DAG and sets
catchup=True, start/end date and is_paused_upon_creation=False on the copy. The origin DAG itself
can therefore stay paused (it never runs on its own schedule), and the one EmptyOperator task is
marked success by the scheduler without going through the executor, so backfill runs finish at
once.
"""

import pendulum
from airflow import DAG
from airflow.operators.empty import EmptyOperator

with DAG(
    dag_id="li_test_daily",
    description="Daily DAG with one EmptyOperator task (li-backfill live tests)",
    schedule="@daily",
    start_date=pendulum.datetime(2023, 1, 1, tz="UTC"),
    catchup=False,
    is_paused_upon_creation=True,
    tags=["li-backfill-live-test"],
) as dag:
    EmptyOperator(task_id="noop")
