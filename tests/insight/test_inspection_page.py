"""The inspector's summary page shows the area's measures for the last 12 months, counts only."""

from django.urls import reverse

from openmash.access.models import Inspection
from openmash.insight.measures import domestic_abuse_notifications


def test_the_inspection_page_shows_the_areas_measures_for_the_year(signed_in, cast):
    inspection = Inspection.objects.get(inspectorate=cast.organisations["inspectorate"])
    response = signed_in("inspector").get(reverse("insight:inspection", args=[inspection.pk]))
    summary = response.context["summary"]
    assert (summary.period.last_day - summary.period.first_day).days == 364
    titles = [section.title for section in summary.measures]
    assert titles[:2] == ["Domestic-abuse notifications to children's social care", "Missing children"]
    assert "Statutory clocks" not in titles  # the clocks table above gives them
    expected = domestic_abuse_notifications(council=inspection.council, period=summary.period)
    notifications = summary.measures[0].figures[0]
    assert (notifications.label, notifications.value) == ("Notifications", str(expected.count))
    assert "Sent in batches" in response.text and "Measures from" in response.text
    for hidden in ["Amelia", "Noah", "Ellis"]:
        assert hidden not in response.text
