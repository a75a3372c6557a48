from django.db import models


class Counter(models.Model):
    """Gap-free sequences (tracking numbers per site and day, notice and certificate numbers per year)."""

    key = models.CharField(max_length=60, primary_key=True)
    value = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}={self.value}"
