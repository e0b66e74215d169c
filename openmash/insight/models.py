"""The national comparison of the dashboard's standard periods, worked out by the worker (insight/jobs.py) and
kept here, so that no dashboard request has to read every area's rows (issue 16: the dashboard under 500 ms)."""

from django.db import models


class NationalComparison(models.Model):
    """The national median and best quartile of each headline figure over one period (whole days in London
    time, both included), as ``comparison.national_comparison`` worked them out at ``computed_at``. One row a
    period, worked out again in place."""

    period_start = models.DateField()
    period_end = models.DateField()
    # None until first worked out (the row is made when a worker first claims the period).
    computed_at = models.DateTimeField(null=True, blank=True)
    # By headline key: {"median": ..., "best_quartile": ..., "areas": ...} (``comparison.Comparison``).
    figures = models.JSONField(default=dict, blank=True)
    # A worker working it out claims it until then, so several workers do not all read every area's rows; a
    # worker that stops while working leaves a claim that runs out.
    claimed_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["period_start", "period_end"], name="national_comparison_one_a_period"
            )
        ]

    def __str__(self) -> str:
        return f"National comparison {self.period_start} to {self.period_end}"
