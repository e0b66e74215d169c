"""An administrator adds a webhook endpoint, tests it, gives it a new secret and removes it: accessible at
every step. The endpoint is a real local receiver."""

import re

import pytest
from playwright.sync_api import expect
from standardwebhooks.webhooks import Webhook

from openmash.sharing.models import WebhookEndpoint
from tests.sharing.receivers import Receiver


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


def test_administrator_adds_tests_rotates_and_removes_an_endpoint(
    page, live_server, live_cast, sign_in, check_accessibility, receiver
):
    sign_in(page, "council.admin")
    page.get_by_role("link", name="Webhook endpoints").click()
    expect(page.get_by_role("heading", name="Webhook endpoints")).to_be_visible()
    check_accessibility(page)

    page.get_by_role("link", name="Add an endpoint").click()
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the URL of the endpoint")
    expect(page).to_have_title(re.compile(r"^Error: "))
    check_accessibility(page)
    page.get_by_label("What is the URL of your endpoint?").fill("http://example.org/hook")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The URL must start with https://")

    page.get_by_label("What is the URL of your endpoint?").fill(receiver.url)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Check the endpoint before adding it")).to_be_visible()
    expect(page.get_by_test_id("checked-url")).to_have_text(receiver.url)
    check_accessibility(page)
    page.get_by_role("button", name="Add endpoint").click()
    expect(page.get_by_role("heading", name="Webhook endpoint added")).to_be_visible()
    secret = page.get_by_test_id("new-secret").inner_text()
    assert secret == WebhookEndpoint.objects.get().secret
    check_accessibility(page)

    page.get_by_role("link", name="Back to webhook endpoints").click()
    expect(page.get_by_role("cell", name=receiver.url, exact=True)).to_be_visible()
    expect(page.get_by_text(secret)).to_have_count(0)
    check_accessibility(page)
    page.get_by_role("button", name=f"Send a test message to {receiver.url}").click()
    expect(page.get_by_role("heading", name="Test message received")).to_be_visible()
    expect(page.get_by_test_id("test-outcome")).to_have_text(
        "The endpoint accepted the test message (it answered 204)."
    )
    Webhook(secret).verify(receiver.received[0]["body"], receiver.received[0]["headers"])
    check_accessibility(page)

    page.get_by_role("link", name="Back to webhook endpoints").click()
    page.get_by_role("link", name=f"Make a new secret for {receiver.url}").click()
    expect(page.get_by_role("heading", name="Are you sure you want a new secret?")).to_be_visible()
    check_accessibility(page)
    page.get_by_role("button", name="Make a new secret").click()
    expect(page.get_by_role("heading", name="New secret made")).to_be_visible()
    new_secret = page.get_by_test_id("new-secret").inner_text()
    assert new_secret != secret and new_secret == WebhookEndpoint.objects.get().secret
    check_accessibility(page)

    page.get_by_role("link", name="Back to webhook endpoints").click()
    page.get_by_role("link", name=f"Remove {receiver.url}").click()
    expect(page.get_by_role("heading", name="Are you sure you want to remove this endpoint?")).to_be_visible()
    check_accessibility(page)
    page.get_by_role("button", name="Remove endpoint").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Webhook endpoint removed")
    expect(page.get_by_text("Your organisation has no webhook endpoints.")).to_be_visible()
    check_accessibility(page)
    assert not WebhookEndpoint.objects.exists()
