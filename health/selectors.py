"""Reads of the health app, each with the agency as an explicit keyword argument."""

from .models import HealthPolicy


def health_policy(*, agency):
    """The agency's health numbers: its row, or an unsaved row with DOMAIN.md's defaults when it never changed
    them (nothing needs creating when an agency is created)."""
    return HealthPolicy.objects.filter(agency=agency).first() or HealthPolicy(agency=agency)
