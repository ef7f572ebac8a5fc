"""The portal in a real headless Chromium against a live server on 127.0.0.1.

One test walks the main journeys in order (a fresh database per test is the expensive part):
a client signs up, confirms the email from the outbox, signs in and turns MFA on; a partner
signs in, is made to enrol MFA, creates an engagement and invites a client user, reads every
engagement page, scans a sandbox tenant, reads the score and a finding and accepts its risk; a
client of another partner gets 404 for all of it; an admin reads the console and the audit log.
No console errors, no CSP violations, screenshots of each page.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pyotp
import pytest
from playwright.sync_api import Page, expect

from failsafe.db.urls import DatabaseTarget
from failsafe.sandbox import Sandbox, TenantSpec, running_sandbox
from failsafe.settings import Settings
from tests.accounts.fixtures import Outbox
from tests.portal.browser import Problems, chromium, shot
from tests.portal.jobs import render_report, run_scan
from tests.portal.live import LiveServer, live_server
from tests.portal.pagekit import PASSWORD
from tests.portal.people import world_with_passwords

pytestmark = pytest.mark.browser


def _sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/signin")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _enrol(page: Page) -> list[str]:
    """From the enrolment page: start, read the key, confirm; returns the recovery codes."""
    page.get_by_role("button", name="Start set-up").click()
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("Enter the 6-digit code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on").click()
    expect(page.get_by_role("heading", name="Two-step verification is on")).to_be_visible()
    return page.locator("ul.codes code").all_inner_texts()


def _client_signs_up(page: Page, base: str, outbox: Outbox) -> None:
    page.goto(f"{base}/signup")
    shot(page, "01-signup")
    page.get_by_label("Your name").fill("Pat Doe")
    page.get_by_label("Company name").fill("Acme Dental")
    page.get_by_label("Work email").fill("pat@acme.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()

    page.goto(f"{base}/verify?token={outbox.token('pat@acme.test', 'verify_email')}")
    shot(page, "02-verify")
    page.get_by_role("button", name="Confirm my email").click()
    expect(page.get_by_text("Your email is confirmed")).to_be_visible()

    _sign_in(page, base, "pat@acme.test")
    expect(page.get_by_role("heading", name="Engagements")).to_be_visible()
    expect(page.get_by_role("link", name="Acme Dental assessment")).to_be_visible()
    page.goto(f"{base}/account")
    shot(page, "03-account")
    page.get_by_role("link", name="Set up two-step verification").click()
    codes = _enrol(page)
    shot(page, "04-recovery-codes")

    page.get_by_role("button", name="Sign out").click()
    _sign_in(page, base, "pat@acme.test")
    expect(page.get_by_role("heading", name="Two-step verification")).to_be_visible()
    shot(page, "05-mfa-challenge")
    page.get_by_text("Use a recovery code instead").click()
    page.get_by_label("Recovery code").fill(codes[0])
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", name="Engagements")).to_be_visible()


def _partner_works(page: Page, base: str) -> str:
    """Returns the URL of the engagement the partner created."""
    _sign_in(page, base, "partner_a.user@example.test")
    expect(page.get_by_role("heading", name="Set up two-step verification")).to_be_visible()
    _enrol(page)
    page.get_by_role("link", name="Continue").click()
    expect(page.get_by_role("link", name="eng_a1")).to_be_visible()
    shot(page, "06-partner-home")

    page.get_by_label("Engagement name").fill("Contoso Q4 review")
    page.get_by_label("New client's name").fill("Contoso Bakery")
    page.get_by_role("button", name="Create engagement").click()
    expect(page.get_by_role("heading", name="Contoso Q4 review")).to_be_visible()
    shot(page, "07-engagement-overview")
    created = page.url

    page.get_by_label("Email").fill("owner@contoso.test")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Invitation sent")).to_be_visible()

    for tab, name in (
        ("Tenants", "08-connections"),
        ("Scans", "09-scans"),
        ("Findings", "10-findings"),
        ("Discovered apps", "11-apps"),
        ("Identities", "12-identities"),
        ("Licences", "13-licences"),
        ("Reports", "14-reports"),
        ("Settings", "14a-settings"),
    ):
        page.get_by_role("navigation", name="Engagement").get_by_role("link", name=tab).click()
        expect(page.get_by_role("link", name=tab)).to_have_attribute("aria-current", "page")
        shot(page, name)
    expect(page.get_by_text("Organization.Read.All")).to_have_count(0)  # on Tenants only
    page.get_by_role("navigation", name="Engagement").get_by_role("link", name="Tenants").click()
    expect(page.get_by_text("Organization.Read.All")).to_be_visible()

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/home")
    shot(page, "15-partner-home-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    return created


def _scan_sandbox(
    page: Page, server: LiveServer, sandbox: Sandbox, created: str, key_dir: Path
) -> None:
    """Connect the sandbox's Google tenant, scan it, read the inventory, get the report."""
    engagement_id = uuid.UUID(created.rsplit("/", 1)[1])
    google = sandbox.google()
    key_file = key_dir / "service-account.json"
    key_file.write_text(json.dumps(google.service_account))

    page.goto(f"{created}/connections")
    page.get_by_label("Service-account key (JSON)").set_input_files(str(key_file))
    page.get_by_label("Admin to act as (read-only role)").fill(google.admin_email)
    page.get_by_label("Label (optional)").last.fill("Sandbox Workspace")
    page.get_by_role("button", name="Connect Google Workspace").click()
    expect(page.get_by_role("cell", name=re.compile("^Sandbox Workspace"))).to_be_visible()

    page.goto(f"{created}/scans")
    page.get_by_role("button", name="Start scan").click()
    expect(page.locator("#scan-progress-body")).to_have_attribute("data-status", "queued")
    scan_id = uuid.UUID(page.url.rsplit("/", 1)[1])
    run_scan(server.runtime, scan_id, engagement_id)
    # htmx polls the progress fragment and swaps in the finished state by itself.
    expect(page.locator("#scan-progress-body")).to_have_attribute(
        "data-status", re.compile("succeeded|partial"), timeout=15_000
    )
    shot(page, "09b-scan-finished")
    _read_and_accept_a_finding(page, created)

    page.goto(f"{created}/apps")
    expect(page.get_by_role("table")).to_be_visible()
    shot(page, "11b-apps-after-scan")
    _sanction_a_vendor(page, created)
    first = page.locator("tbody th a").first
    if first.count():
        first.click()
        expect(page.get_by_role("heading", name="Users")).to_be_visible()
        shot(page, "11c-app-detail")
    page.goto(f"{created}/identities")
    expect(page.get_by_text("MFA coverage")).to_be_visible()
    shot(page, "12b-identities-after-scan")
    page.goto(f"{created}/licences")
    shot(page, "13b-licences-after-scan")
    page.get_by_label(re.compile("^Negotiated price of ")).first.fill("9.60")
    page.get_by_role("button", name=re.compile("^Save price of ")).first.click()
    expect(page.get_by_text("Negotiated price saved.")).to_be_visible()
    expect(page.get_by_text("negotiated", exact=True).first).to_be_visible()
    shot(page, "13c-licences-negotiated-price")

    page.goto(f"{created}/reports")
    page.get_by_role("button", name="Generate report").click()
    report_id = uuid.UUID(server_report_id(page))
    render_report(server.runtime, report_id, engagement_id)
    download_link = page.get_by_role("link", name=re.compile("Download PDF"))
    expect(download_link).to_be_visible(timeout=15_000)
    shot(page, "14b-report-ready")
    with page.expect_download() as download:
        download_link.click()
    path = download.value.path()
    assert path is not None and Path(path).read_bytes().startswith(b"%PDF")


def _sanction_a_vendor(page: Page, created: str) -> None:
    """Mark the first vendor sanctioned: the notice, the badge, and the Settings tab lists it."""
    mark = page.get_by_role("button", name=re.compile(r"^Mark sanctioned: ")).first
    expect(mark).to_be_visible()
    entry = mark.locator("xpath=ancestor::form").locator("input[name=entry]").input_value()
    mark.click()
    expect(page.get_by_text("Marked as sanctioned.")).to_be_visible()
    expect(page.locator("tbody .badge", has_text="Sanctioned").first).to_be_visible()
    expect(
        page.get_by_role("button", name=re.compile(r"^Remove from sanctioned: ")).first
    ).to_be_visible()
    shot(page, "11d-apps-vendor-sanctioned")
    page.goto(f"{created}/settings")
    expect(page.get_by_role("rowheader", name=entry)).to_be_visible()
    shot(page, "14c-settings-sanctioned")
    page.goto(f"{created}/apps")


def _read_and_accept_a_finding(page: Page, created: str) -> None:
    """The overview scores the scan; the worst finding is read, then its risk accepted."""
    page.goto(created)
    expect(
        page.get_by_role("img", name=re.compile(r"^Posture score: \d+ out of 100$"))
    ).to_be_visible()
    shot(page, "07b-overview-scored")

    page.get_by_role("navigation", name="Engagement").get_by_role("link", name="Findings").click()
    page.get_by_label("Status").select_option("open")
    page.get_by_role("button", name="Filter").click()
    first = page.locator("tbody th a").first
    title = first.inner_text()
    first.click()
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    expect(page.get_by_role("heading", name="How to fix it in Google Workspace")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("^CIS Controls v8"))).to_be_visible()
    shot(page, "10b-finding")

    until = (datetime.now(UTC) + timedelta(days=30)).date().isoformat()
    page.get_by_label("Reason", exact=True).fill("Owner signs off until the vendor review")
    page.get_by_label("Accepted until").fill(until)
    page.get_by_role("button", name="Accept risk").click()
    expect(page.get_by_text("Risk accepted.")).to_be_visible()
    expect(page.get_by_role("cell", name="Owner signs off until the vendor review")).to_be_visible()
    expect(page.get_by_role("button", name="Reopen")).to_be_visible()
    shot(page, "10c-finding-accepted")


def server_report_id(page: Page) -> str:
    """The id of the newest report in the list (rows carry it as a data attribute)."""
    row = page.locator("#report-list tbody tr[data-report-id]").first
    expect(row).to_be_visible()
    value = row.get_attribute("data-report-id")
    assert value is not None
    return value


def test_portal_journeys(
    fresh_target: DatabaseTarget,
    test_settings: Settings,
    owner: psycopg.Connection,
    tmp_path: Path,
) -> None:
    world = world_with_passwords(owner, test_settings)
    outbox = Outbox(owner)
    problems = Problems()
    with (
        running_sandbox(TenantSpec(seed=3, users=60, profile="risky")) as sandbox,
        live_server(fresh_target, test_settings, sandbox.settings_overrides()) as server,
        chromium() as browser,
    ):
        base = server.base_url

        client = problems.watch(browser.new_page(viewport={"width": 1280, "height": 900}))
        _client_signs_up(client, base, outbox)

        partner = problems.watch(browser.new_page(viewport={"width": 1280, "height": 900}))
        created = _partner_works(partner, base)
        _scan_sandbox(partner, server, sandbox, created, tmp_path)

        other = problems.watch(browser.new_page())
        _sign_in(other, base, "client_b1.user@example.test")
        expect(other.get_by_role("link", name="eng_b1")).to_be_visible()
        for url in (
            created,
            f"{created}/findings",
            f"{base}/engagements/{world.engagements['eng_a1']}/connections",
            f"{base}/engagements/{world.engagements['eng_a1']}/reports",
        ):
            problems.expected_404.add(url)
            response = other.goto(url)
            assert response is not None and response.status == 404, url
        shot(other, "16-other-client-404")
        problems.expected_404.add(f"{base}/admin")
        assert other.goto(f"{base}/admin") is not None
        expect(other.get_by_role("heading", name="Not found")).to_be_visible()

        admin = problems.watch(browser.new_page(viewport={"width": 1280, "height": 900}))
        _sign_in(admin, base, "staff.admin@example.test")
        _enrol(admin)
        admin.goto(f"{base}/admin")
        shot(admin, "17-admin-accounts")
        admin.goto(f"{base}/admin/audit?action=engagement.")
        expect(admin.get_by_text("engagement.created")).to_be_visible()
        shot(admin, "18-admin-audit")
        with admin.expect_download() as download:
            admin.get_by_role("link", name="Export CSV").click()
        assert download.value.suggested_filename == "failsafe-audit.csv"

    assert problems.items == [], problems.items
