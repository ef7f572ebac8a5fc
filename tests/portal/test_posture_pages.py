"""Scores and judgements on the overview, the engagements home and the inventory pages, after
real scans (stored inventory + the rules' findings), against the report's own numbers."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import timedelta

import httpx
import psycopg
import pytest

from failsafe.db.actor import SystemActor
from failsafe.detections.engine import evaluate
from failsafe.detections.metadata import load_rule_specs
from failsafe.detections.model import Family
from failsafe.detections.scores import posture_score
from failsafe.inventory.model import AppUsage, EmailSignal, Grant
from failsafe.reports.build import build_view
from failsafe.reports.view import ReportView
from failsafe.runtime import Runtime
from failsafe.settings import Settings
from tests.accounts.helpers import FakeClock
from tests.portal.findings_seed import (
    NOW,
    add_scan,
    expected_score,
    fixed_inventory,
    small_inventory,
    wasteful_inventory,
)
from tests.portal.pagekit import csrf_of
from tests.portal.people import signed_in, world_with_passwords
from tests.world import World

GAUGE = re.compile(r'aria-label="Posture score: ([^"]+)"')
TREND = re.compile(r'aria-label="Posture score trend: ([^"]+)"')

MakeClient = Callable[[], httpx.AsyncClient]


@pytest.fixture
def world(owner: psycopg.Connection, test_settings: Settings) -> World:
    return world_with_passwords(owner, test_settings)


async def _report(runtime: Runtime, engagement: uuid.UUID, scan_id: uuid.UUID) -> ReportView:
    async with runtime.database.transaction(SystemActor("test", engagement)) as session:
        return await build_view(session, scan_id)


async def test_overview_shows_the_report_score_after_a_scan(
    runtime: Runtime,
    world: World,
    new_client: MakeClient,
    clock: FakeClock,
) -> None:
    engagement = world.engagements["eng_a1"]
    http = await signed_in(new_client, "client_a1.user", clock)
    before = await http.get(f"/engagements/{engagement}")
    assert GAUGE.findall(before.text) == ["not available"]

    _, scan_id = await add_scan(runtime, engagement)
    page = await http.get(f"/engagements/{engagement}")
    score = expected_score(small_inventory())
    assert score is not None and 0 < score < 100
    assert GAUGE.findall(page.text) == [f"{score} out of 100"]
    assert (await _report(runtime, engagement, scan_id)).score == score  # the report agrees
    families = posture_score(evaluate(small_inventory()), load_rule_specs()).families
    assert f"<dt>Shadow IT</dt><dd>{families[Family.SHADOW_IT]}</dd>" in page.text
    assert "<dt>Licences</dt><dd>n/a (not assessed)</dd>" in page.text
    assert 'aria-label="Open findings: Critical 1, High 3, Medium 2, Low 0, Info 0"' in page.text
    assert "Two complete scans of a tenant are needed" in page.text


async def test_trend_and_changes_after_a_rescan(
    runtime: Runtime,
    world: World,
    new_client: MakeClient,
    clock: FakeClock,
) -> None:
    engagement = world.engagements["eng_a1"]
    connection, _ = await add_scan(runtime, engagement)
    _, second = await add_scan(
        runtime, engagement, fixed_inventory(), connection_id=connection, after=timedelta(days=7)
    )
    first_score, second_score = expected_score(small_inventory()), expected_score(fixed_inventory())
    assert first_score is not None and second_score is not None and second_score > first_score
    http = await signed_in(new_client, "client_a1.user", clock)

    page = await http.get(f"/engagements/{engagement}")
    assert GAUGE.findall(page.text) == [f"{second_score} out of 100"]
    assert TREND.findall(page.text) == [f"30 Nov {first_score}, 07 Dec {second_score}"]
    # MFA for the admin closes ID-001 and opens ID-011 (no phishing-resistant method).
    assert "<li>1 new finding</li>" in page.text
    assert "<li>1 no longer found (resolved in the tenant)</li>" in page.text
    assert "<li>5 unchanged</li>" in page.text
    report = await _report(runtime, engagement, second)
    assert [point.score for point in report.trend] == [first_score, second_score]

    home = await signed_in(new_client, "partner_a.user", clock)
    row = _row((await home.get("/home")).text, "eng_a1")
    assert f'<td class="num">{second_score}</td>' in row
    assert f"+{second_score - first_score}</span>" in row


async def test_accepting_a_finding_raises_the_score(
    runtime: Runtime,
    world: World,
    new_client: MakeClient,
    clock: FakeClock,
) -> None:
    engagement = world.engagements["eng_a1"]
    await add_scan(runtime, engagement)
    http = await signed_in(new_client, "client_a1.user", clock)
    base = f"/engagements/{engagement}/findings"
    listed = await http.get(base, params={"severity": "critical"})
    fingerprint = re.findall(r"/findings/([0-9a-f]{64})\"", listed.text)[0]
    token = csrf_of(listed.text)
    response = await http.post(
        f"{base}/{fingerprint}/accept",
        data={"reason": "Break-glass", "expires": "2026-08-01", "csrf_token": token},
    )
    assert response.status_code == 303

    outcomes = evaluate(small_inventory())
    still_open = frozenset(
        f.fingerprint for o in outcomes for f in o.findings if f.rule_id != "ID-001"
    )
    expected = posture_score(outcomes, load_rule_specs(), open_fingerprints=still_open).overall
    page = await http.get(f"/engagements/{engagement}")
    assert GAUGE.findall(page.text) == [f"{expected} out of 100"]
    assert expected != expected_score(small_inventory())


async def test_a_partner_accepting_a_risk_sees_it_on_the_home_page_at_once(
    runtime: Runtime,
    world: World,
    new_client: MakeClient,
    clock: FakeClock,
) -> None:
    engagement = world.engagements["eng_a1"]
    connection, _ = await add_scan(runtime, engagement)
    await add_scan(
        runtime, engagement, small_inventory(), connection_id=connection, after=timedelta(days=7)
    )
    partner = await signed_in(new_client, "partner_a.user", clock)
    before = _row((await partner.get("/home")).text, "eng_a1")
    score = expected_score(small_inventory())
    assert f'<td class="num">{score}</td>' in before and ">1 / 3</a>" in before
    assert "no change" in before

    base = f"/engagements/{engagement}/findings"
    listed = await partner.get(base, params={"severity": "critical"})
    fingerprint = re.findall(r"/findings/([0-9a-f]{64})\"", listed.text)[0]
    response = await partner.post(
        f"{base}/{fingerprint}/accept",
        data={"reason": "Break-glass", "expires": "2026-08-01", "csrf_token": csrf_of(listed.text)},
    )
    assert response.status_code == 303

    outcomes = evaluate(small_inventory())
    still_open = frozenset(
        f.fingerprint for o in outcomes for f in o.findings if f.rule_id != "ID-001"
    )
    accepted = posture_score(outcomes, load_rule_specs(), open_fingerprints=still_open).overall
    after = _row((await partner.get("/home")).text, "eng_a1")
    assert f'<td class="num">{accepted}</td>' in after and ">0 / 3</a>" in after
    # The acceptance holds in both scans of the tenant, so the trend shows no jump.
    assert "no change" in after


async def test_home_and_inventory_pages_show_scores_risk_and_waste(
    runtime: Runtime,
    world: World,
    new_client: MakeClient,
    clock: FakeClock,
) -> None:
    await add_scan(runtime, world.engagements["eng_a1"])
    await add_scan(runtime, world.engagements["eng_a2"], wasteful_inventory())
    await add_scan(runtime, world.engagements["eng_b1"])
    partner = await signed_in(new_client, "partner_a.user", clock)

    home = (await partner.get("/home")).text
    first = _row(home, "eng_a1")
    assert f'<td class="num">{expected_score(small_inventory())}</td>' in first
    assert ">1 / 3</a>" in first and "$0" in first
    second = _row(home, "eng_a2")
    assert f'<td class="num">{expected_score(wasteful_inventory())}</td>' in second
    assert ">0 / 0</a>" in second and "$252" in second
    assert "eng_b1" not in home

    apps = (await partner.get(f"/engagements/{world.engagements['eng_a1']}/apps")).text
    otter = _row(apps, "Otter</a>")
    assert '<span class="sev sev-high">High</span>' in otter and "/findings/" in otter
    assert "no open finding" in _row(apps, "notion.so</a>")
    licences = (await partner.get(f"/engagements/{world.engagements['eng_a2']}/licences")).text
    assert "$252" in _row(licences, "SPE_E3")
    assert "$252" not in _row(licences, "AAD_PREMIUM_P2")


async def test_an_apps_row_merges_every_source_of_one_app(
    runtime: Runtime, world: World, new_client: MakeClient, clock: FakeClock
) -> None:
    inventory = small_inventory()
    admin = "admin@contoso.example"
    inventory.grants.append(Grant("app-1", "delegated", ("Files.Read", "Mail.Read"), False, admin))
    inventory.app_usage.append(AppUsage("app-1", "Otter", admin, NOW, NOW, 4))
    await add_scan(runtime, world.engagements["eng_a1"], inventory)
    http = await signed_in(new_client, "client_a1.user", clock)

    apps = (await http.get(f"/engagements/{world.engagements['eng_a1']}/apps")).text
    otter = _row(apps, "Otter</a>")
    # Two users over two grants and a sign-in; each scope once, however many grants hold it.
    assert "<td>grant, sign-in</td>" in otter
    assert '<td class="num">2</td>' in otter
    assert "<td>Files.Read, Mail.Read</td>" in otter
    assert '<span class="sev sev-high">High</span>' in otter


async def test_vendor_mail_rows_take_their_vendors_risk(
    runtime: Runtime, world: World, new_client: MakeClient, clock: FakeClock
) -> None:
    inventory = small_inventory()
    inventory.email_signals.append(
        EmailSignal("mail.otter.ai", "user@contoso.example", "billing", NOW, NOW, 2)
    )
    await add_scan(runtime, world.engagements["eng_a1"], inventory)
    http = await signed_in(new_client, "client_a1.user", clock)
    apps = (await http.get(f"/engagements/{world.engagements['eng_a1']}/apps")).text
    # Keyed by sender domain; the catalog ties mail.otter.ai to the vendor the findings name.
    assert '<span class="sev sev-high">High</span>' in _row(apps, "mail.otter.ai</a>")


async def test_other_tenants_scores_stay_hidden(
    runtime: Runtime,
    world: World,
    new_client: MakeClient,
    clock: FakeClock,
) -> None:
    await add_scan(runtime, world.engagements["eng_a1"])
    other = await signed_in(new_client, "client_b1.user", clock)
    home = (await other.get("/home")).text
    assert "eng_a1" not in home
    assert "out of 100" not in (await other.get(f"/engagements/{world.engagements['eng_b1']}")).text
    response = await other.get(f"/engagements/{world.engagements['eng_a1']}")
    assert response.status_code == 404


def _row(html: str, marker: str) -> str:
    """The table row holding ``marker``."""
    for row in html.split("<tr>"):
        if marker in row:
            return row.split("</tr>")[0]
    raise AssertionError(f"no row with {marker}")
