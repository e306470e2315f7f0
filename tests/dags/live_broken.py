"""An Airflow DAG file that fails to import, so that GET /api/v2/importErrors has a real entry.

The live tests and the fixture capture expect exactly this import error; no DAG comes from here.
"""

from __future__ import annotations

raise ImportError("live_broken: deliberate import error for the live tests")
