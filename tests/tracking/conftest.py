"""Fixtures for the Strategic Assessment, funding and the tracking files."""

import pytest

from actions.models import Measure


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    # Uploaded PDFs land in a folder of the test's own, never in the project's media/.
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def asb_measure(plan, priority):
    return Measure.objects.create(
        plan=plan,
        priority=priority,
        name="ASB incidents",
        unit="incidents",
        frequency=Measure.Frequency.QUARTERLY,
    )


@pytest.fixture
def monthly_measure(plan):
    return Measure.objects.create(
        plan=plan, name="Repeat callers", unit="people", frequency=Measure.Frequency.MONTHLY
    )


@pytest.fixture
def annual_measure(plan):
    return Measure.objects.create(
        plan=plan, name="Residents feeling safe", unit="%", frequency=Measure.Frequency.ANNUAL
    )
