"""The findings pages over HTTP against the real database: list filters and paging, the
detail, accept / resolve / reopen with their refusals and audit rows, and isolation."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx
import psycopg
import pytest
from markupsafe import escape

from failsafe.detections.metadata import load_rule_specs
from failsafe.detections.model import Framework
from failsafe.runtime import Runtime
from failsafe.settings import Settings
from tests.accounts.helpers import FakeClock
from tests.portal.findings_seed import add_scan, audit_actions, finding_rows
from tests.portal.pagekit import csrf_of
from tests.portal.people import signed_in, world_with_passwords
from tests.web.findings_seed import seed_findings
from tests.world import World

SEVERITY = re.compile(r'<td><span class="sev sev-([a-z]+)">')
RULE = re.compile(r'<span class="muted">([A-Z]{2}-\d{3})</span>')
LINK = re.compile(r'href="/engagements/[0-9a-f-]+/findings/([0-9a-f]{64})">([^<]*)</a>')
NEXT = re.compile(r'href="/engagements/[0-9a-f-]+/findings\?([^"]+)" rel="next"')

MakeClient = Callable[[], httpx.AsyncClient]


@pytest.fixture
def world(owner: psycopg.Connection, test_settings: Settings) -> World:
    return world_with_passwords(owner, test_settings)


async def _client_with_scan(
    runtime: Runtime,
    world: World,
    new_client: MakeClient,
    clock: FakeClock,
) -> tuple[httpx.AsyncClient, str]:
    engagement = world.engagements["eng_a1"]
    await add_scan(runtime, engagement)
    http = await signed_in(new_client, "client_a1.user", clock)
    return http, f"/engagements/{engagement}/findings"


async def _fingerprint(http: httpx.AsyncClient, base: str, rule_id: str) -> str:
    """The fingerprint of the listed finding raised by ``rule_id``."""
    page = await http.get(base)
    rows = dict(zip(RULE.findall(page.text), LINK.findall(page.text), strict=True))
    return str(rows[rule_id][0])


async def test_filters_narrow_the_list(
    runtime: Runtime, world: World, new_client: MakeClient, clock: FakeClock
) -> None:
    http, base = await _client_with_scan(runtime, world, new_client, clock)

    everything = await http.get(base)
    assert everything.status_code == 200
    assert SEVERITY.findall(everything.text) == [
        "critical", "high", "high", "high", "medium", "medium",
    ]  # fmt: skip
    critical = await http.get(base, params={"severity": "critical"})
    assert RULE.findall(critical.text) == ["ID-001"]
    identity = await http.get(base, params={"family": "identity"})
    assert set(RULE.findall(identity.text)) == {"ID-001", "ID-004"}
    control = await http.get(base, params={"control": "cis_v8:6.5"})
    mapped = {
        r for r, spec in load_rule_specs().items() if "6.5" in spec.controls[Framework.CIS_V8]
    }
    assert RULE.findall(control.text) and set(RULE.findall(control.text)) <= mapped
    both = await http.get(base, params={"family": "shadow_it", "severity": "high"})
    assert set(RULE.findall(both.text)) == {"SH-001", "SH-006"}
    assert 'value="shadow_it" selected' in both.text  # the form keeps what was chosen
    google = await http.get(base, params={"provider": "google"})
    assert RULE.findall(google.text) == [] and "No finding matches these filters" in google.text
    opened = await http.get(base, params={"status": "accepted"})
    assert RULE.findall(opened.text) == []

    refused = await http.get(base, params={"severity": "urgent"})
    assert refused.status_code == 422


async def test_cursor_pages_cover_every_finding_once(
    owner: psycopg.Connection,
    world: World,
    new_client: MakeClient,
    clock: FakeClock,
) -> None:
    engagement = world.engagements["eng_a1"]
    seed_findings(owner, engagement, 120)
    http = await signed_in(new_client, "client_a1.user", clock)
    base = f"/engagements/{engagement}/findings"

    seen: list[str] = []
    query, pages = "status=open", 0
    while True:
        page = await http.get(f"{base}?{query}")
        assert page.status_code == 200
        seen += [fingerprint for fingerprint, _ in LINK.findall(page.text)]
        pages += 1
        if pages > 1:
            assert "First page" in page.text
        found = NEXT.search(page.text)
        if found is None:
            break
        query = found.group(1).replace("&amp;", "&")
        assert "status=open" in query  # the filters survive paging
    assert pages == 3 and len(seen) == len(set(seen)) == 120
    ranks = ["critical", "high", "medium", "low", "info"]
    listed = SEVERITY.findall((await http.get(base)).text)
    assert listed == sorted(listed, key=ranks.index)  # worst first

    high = await http.get(base, params={"severity": "high"})
    assert SEVERITY.findall(high.text) == ["high"] * 24 and NEXT.search(high.text) is None


async def test_detail_shows_evidence_remediation_and_controls(
    runtime: Runtime,
    world: World,
    new_client: MakeClient,
    clock: FakeClock,
) -> None:
    http, base = await _client_with_scan(runtime, world, new_client, clock)
    spec = load_rule_specs()["ID-001"]

    page = await http.get(f"{base}/{await _fingerprint(http, base, 'ID-001')}")
    assert page.status_code == 200
    html = page.text
    assert "Administrator admin@contoso.example has no MFA registered" in html
    assert spec.description in html
    assert "How to fix it in Microsoft 365" in html
    assert spec.remediation["microsoft"] and str(escape(spec.remediation["microsoft"])) in html
    for name in ("NIST CSF 2.0", "CIS Controls v8", "SOC 2", "ISO/IEC 27001:2022"):
        assert name in html
    assert "findings?control=cis_v8%3A6.5" in html  # each control links to the filtered list
    assert "<dt>Since last scan</dt><dd>New</dd>" in html
    assert "<dt>First seen</dt><dd>2026-11-30 09:00 UTC</dd>" in html
    assert "<li>admin@contoso.example</li>" in html  # the affected user

    app = await http.get(f"{base}/{await _fingerprint(http, base, 'AP-002')}")
    assert "<li>user@contoso.example</li>" in app.text
    assert "&lt;img src=http://127.0.0.1:9/x&gt; Otter" in app.text  # tenant text is escaped
    assert "<img src=http" not in app.text

    missing = await http.get(f"{base}/{'0' * 64}")
    assert missing.status_code == 404


async def test_accept_needs_reason_and_expiry(
    runtime: Runtime,
    world: World,
    new_client: MakeClient,
    clock: FakeClock,
    owner: psycopg.Connection,
) -> None:
    http, base = await _client_with_scan(runtime, world, new_client, clock)
    fingerprint = await _fingerprint(http, base, "ID-001")
    page = await http.get(f"{base}/{fingerprint}")
    token = csrf_of(page.text)

    for data, message in (
        ({"reason": "", "expires": "2026-09-30"}, "give a reason and the date"),
        ({"reason": "   ", "expires": "2026-09-30"}, "give a reason and the date"),
        ({"reason": "Break-glass account", "expires": ""}, "give a reason and the date"),
        ({"reason": "Break-glass account", "expires": "2028-01-01"}, "within a year"),
        ({"reason": "Break-glass account", "expires": "2026-05-01"}, "in the future"),
    ):
        refused = await http.post(
            f"{base}/{fingerprint}/accept", data={**data, "csrf_token": token}
        )
        assert refused.status_code == 422, data
        assert message in refused.text, data
        assert 'class="alert alert-error" role="alert"' in refused.text
        if data["reason"].strip():
            assert data["reason"] in refused.text  # what was typed is kept
    assert finding_rows(owner, world.engagements["eng_a1"])["ID-001"] == "open"
    assert audit_actions(owner, world.engagements["eng_a1"]) == []

    no_csrf = await http.post(
        f"{base}/{fingerprint}/accept", data={"reason": "x", "expires": "2026-09-30"}
    )
    assert no_csrf.status_code == 403
    assert finding_rows(owner, world.engagements["eng_a1"])["ID-001"] == "open"


async def test_accept_resolve_reopen_change_status_and_are_audited(
    runtime: Runtime,
    world: World,
    new_client: MakeClient,
    clock: FakeClock,
    owner: psycopg.Connection,
) -> None:
    engagement = world.engagements["eng_a1"]
    http, base = await _client_with_scan(runtime, world, new_client, clock)
    admin_mfa = await _fingerprint(http, base, "ID-001")
    notetaker = await _fingerprint(http, base, "SH-006")
    token = csrf_of((await http.get(f"{base}/{admin_mfa}")).text)

    accepted = await http.post(
        f"{base}/{admin_mfa}/accept",
        data={
            "reason": "Break-glass account in a safe",
            "expires": "2026-09-30",
            "csrf_token": token,
        },
    )
    assert accepted.status_code == 303
    assert accepted.headers["location"] == f"{base}/{admin_mfa}?done=accepted"
    shown = await http.get(accepted.headers["location"])
    assert "Risk accepted." in shown.text and "Break-glass account in a safe" in shown.text
    assert "2026-10-01 00:00 UTC" in shown.text  # accepted through the end of the chosen day
    assert "Reopen" in shown.text and "Accept risk" not in shown.text

    resolved = await http.post(
        f"{base}/{notetaker}/resolve", data={"reason": "Removed", "csrf_token": token}
    )
    assert resolved.status_code == 303
    assert "Marked as resolved" in (await http.get(resolved.headers["location"])).text
    statuses = finding_rows(owner, engagement)
    assert statuses["ID-001"] == "accepted" and statuses["SH-006"] == "resolved"
    listed = await http.get(base, params={"status": "open"})
    assert "ID-001" not in RULE.findall(listed.text) and len(RULE.findall(listed.text)) == 4

    reopened = await http.post(f"{base}/{notetaker}/reopen", data={"csrf_token": token})
    assert reopened.status_code == 303
    assert finding_rows(owner, engagement)["SH-006"] == "open"
    assert audit_actions(owner, engagement) == [
        ("finding.accepted", admin_mfa),
        ("finding.resolved", notetaker),
        ("finding.reopened", notetaker),
    ]


@pytest.mark.parametrize("outsider", ["client_b1.user", "partner_b.user"])
async def test_outsiders_get_404_everywhere(
    runtime: Runtime,
    world: World,
    new_client: MakeClient,
    clock: FakeClock,
    owner: psycopg.Connection,
    outsider: str,
) -> None:
    engagement = world.engagements["eng_a1"]
    http, base = await _client_with_scan(runtime, world, new_client, clock)
    fingerprint = await _fingerprint(http, base, "ID-001")

    other = await signed_in(new_client, outsider, clock)
    token = csrf_of((await other.get("/account")).text)
    for path in (base, f"{base}?severity=critical", f"{base}/{fingerprint}"):
        response = await other.get(path)
        assert response.status_code == 404, path
        assert "admin@contoso.example" not in response.text
    for action, data in (
        ("accept", {"reason": "mine now", "expires": "2026-09-30"}),
        ("resolve", {"reason": ""}),
        ("reopen", {}),
    ):
        response = await other.post(
            f"{base}/{fingerprint}/{action}", data={**data, "csrf_token": token}
        )
        assert response.status_code == 404, action
    assert set(finding_rows(owner, engagement).values()) == {"open"}
    assert audit_actions(owner, engagement) == []
