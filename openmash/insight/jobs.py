"""The insight app's periodic work, run by the worker (worker/jobs.py): the national comparison of the
dashboard's standard periods, worked out again when it is ``OPENMASH_NATIONAL_COMPARISON_MINUTES`` old."""

from openmash.insight.services import national_comparisons_refresh
from openmash.worker import jobs

# The worker asks every minute; the job works out only the periods that have fallen due, so a comparison is
# refreshed within a minute of being OPENMASH_NATIONAL_COMPARISON_MINUTES old, and a new day's last 12 months
# within a minute of midnight.
jobs.register("national-comparison", every_seconds=60, run=national_comparisons_refresh)
