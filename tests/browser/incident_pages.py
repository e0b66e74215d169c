"""Filling in the domestic-abuse incident's question pages in a browser (shared by the journeys that record one)."""

from playwright.sync_api import expect


def fill_date(page, field: str, day: str, month: str, year: str) -> None:
    page.locator(f"#id_{field}_0").fill(day)
    page.locator(f"#id_{field}_1").fill(month)
    page.locator(f"#id_{field}_2").fill(year)


def answer_the_incident(page, reference: str, *, check=None) -> None:
    """From the first question page to the children: when, where, risk, what happened."""
    expect(page.get_by_role("heading", name="When it happened")).to_be_visible()
    page.get_by_label("Police reference").fill(reference)
    fill_date(page, "occurred_date", "20", "11", "2026")
    page.get_by_label("Time it happened").fill("21:30")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Where it happened")).to_be_visible()
    if check:
        check(page)
    page.get_by_label("Postcode").fill("TS18 1AA")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Risk")).to_be_visible()
    if check:
        check(page)
    page.get_by_label("Medium").check()
    page.locator("#id_marac_2").check()  # No
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="What happened")).to_be_visible()
    if check:
        check(page)
    page.get_by_label("What happened").fill("Shouting heard by neighbours")
    page.get_by_role("button", name="Continue").click()


def add_child(page, number: int, given: str, family: str, born: tuple[str, str, str], **more: str) -> None:
    expect(page.get_by_role("heading", name=f"Child {number}")).to_be_visible()
    prefix = f"child{number}-"
    page.locator(f"#id_{prefix}given_name").fill(given)
    page.locator(f"#id_{prefix}family_name").fill(family)
    fill_date(page, f"{prefix}date_of_birth", *born)
    for field, value in more.items():
        page.locator(f"#id_{prefix}{field}").fill(value)
    page.get_by_role("button", name="Continue").click()


def answer_add_another(page, yes: bool) -> None:
    page.locator("#id_add_another_1" if yes else "#id_add_another_2").check()
    page.get_by_role("button", name="Continue").click()
