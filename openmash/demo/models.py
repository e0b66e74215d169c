from django.db import models


class DemoDatabase(models.Model):
    """One row, only in a database the demo was loaded into: ``openmash demo`` loads again only there."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    marked_at = models.DateTimeField()

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="demo_database_one_row")]

    def __str__(self) -> str:
        return f"a demo database since {self.marked_at:%Y-%m-%d %H:%M}"
