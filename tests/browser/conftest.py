"""Browser tests: Playwright for Python driving Debian's Chromium against a live server, with axe on every page."""

import os

import pytest
from pytest_playwright_axe import OPTIONS_WCAG_22AA, Axe

from tests.conftest import load_cast

# Playwright's sync API runs an event loop in this thread; the ORM calls made by tests are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run `make test-deps` (Debian package chromium)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture
def live_cast(transactional_db, live_server):
    """The cast, loaded into the database the live server reads (emptied after each browser test)."""
    return load_cast()


@pytest.fixture
def check_accessibility(tmp_path):
    axe = Axe(output_directory=tmp_path)

    def check(page) -> None:
        results = axe.run(
            page, options=OPTIONS_WCAG_22AA, html_report_generated=False, json_report_generated=False
        )
        problems = [
            f"{violation['id']}: {violation['help']} ({', '.join(node['target'][0] for node in violation['nodes'][:3])})"
            for violation in results["violations"]
        ]
        assert problems == [], f"axe found problems on {page.url}: {problems}"

    return check


@pytest.fixture
def sign_in(live_server, demo_password, check_accessibility):
    def sign_in_as(page, username: str) -> None:
        page.goto(f"{live_server.url}/sign-in/")
        check_accessibility(page)
        page.get_by_label("User name").fill(username)
        page.get_by_label("Password").fill(demo_password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{live_server.url}/")

    return sign_in_as


@pytest.fixture
def delivery_worker(live_cast):
    """`openmash worker`'s loop in a thread beside the live server, on its own database connection."""
    import threading

    from django.db import connection

    from openmash.worker.loop import run_worker

    stop = threading.Event()

    def work() -> None:
        try:
            run_worker(poll_seconds=0.05, stop=stop.is_set)
        finally:
            connection.close()

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    yield
    stop.set()
    thread.join(timeout=10)
