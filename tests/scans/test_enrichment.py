"""The enrich step of a real scan: the sandbox tenant scanned with a fake Anthropic API."""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from pydantic import SecretStr
from sqlalchemy import text
from structlog.testing import capture_logs

from failsafe.db.actor import SystemActor
from failsafe.inventory.load import load_inventory
from failsafe.reports.build import build_view
from failsafe.runtime import Runtime
from failsafe.sandbox import Sandbox, TenantSpec, running_sandbox
from failsafe.scans import service as scans
from failsafe.scans.demo import connect_and_scan_demo
from tests.detections.fake_anthropic import fake_anthropic, vendor_of
from tests.world import World

UNCATALOGUED = "tldv.io"  # planted by the risky profile, not in the vendor catalog


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with running_sandbox(TenantSpec(seed=5, users=45, profile="risky")) as running:
        yield running


def _label(body: dict[str, Any]) -> dict[str, Any]:
    if vendor_of(body)["domain"] == UNCATALOGUED:
        return {"category": "ai_notetaker", "risk": "H", "summary": "Records meetings"}
    return {"category": "other", "risk": "L", "summary": "A web service"}


def _with_enrichment(runtime: Runtime, url: str, **settings: Any) -> Runtime:
    enriched = copy.copy(runtime)
    enriched.settings = runtime.settings.model_copy(
        update={
            "anthropic_api_key": SecretStr("test-key"),
            "anthropic_base_url": url,
            "anthropic_model": "claude-test",
            **settings,
        }
    )
    return enriched


async def _findings(
    runtime: Runtime, engagement: uuid.UUID, scan_id: uuid.UUID
) -> dict[tuple[str, str], tuple[str, dict[str, Any]]]:
    async with runtime.database.transaction(SystemActor("test", engagement)) as session:
        rows = await session.execute(
            text("SELECT rule_id, subject, change, evidence FROM findings WHERE scan_id = :s"),
            {"s": scan_id},
        )
        return {(r.rule_id, r.subject): (r.change, r.evidence) for r in rows}


async def _status(runtime: Runtime, engagement: uuid.UUID, scan_id: uuid.UUID) -> str:
    async with runtime.database.transaction(SystemActor("test", engagement)) as session:
        return (await scans.get_scan(session, scan_id)).status


async def test_scan_classifies_an_uncatalogued_vendor_then_uses_the_cache(
    runtime: Runtime, world: World, sandbox: Sandbox, superuser: psycopg.Connection
) -> None:
    engagement = world.engagements["eng_c"]
    with fake_anthropic(_label) as (url, requests):
        enriched = _with_enrichment(runtime, url)
        first = await connect_and_scan_demo(enriched, engagement, "microsoft", sandbox)
        asked = len(requests)
        second = await connect_and_scan_demo(enriched, engagement, "microsoft", sandbox)

    assert await _status(runtime, engagement, first) == "succeeded"
    sent = [vendor_of(r["body"]) for r in requests]
    assert UNCATALOGUED in {v["domain"] for v in sent}
    # Only vendor domains and names leave: nothing of the tenant, its people or its mail.
    async with runtime.database.transaction(SystemActor("test", engagement)) as session:
        inventory = await load_inventory(session, first)
    tenant_text = [*inventory.tenant.domains, inventory.tenant.display_name]
    tenant_text += [i.email for i in inventory.identities]
    for record in requests:
        assert set(vendor_of(record["body"])) == {"name", "domain"}
        content = json.dumps(record["body"]["messages"])
        assert not [t for t in tenant_text if t.lower() in content.lower()]

    findings = await _findings(runtime, engagement, first)
    change, evidence = findings[("SH-006", UNCATALOGUED)]  # AI notetaker, known only to the AI
    assert change == "new"
    assert evidence["category"] == "ai_notetaker" and evidence["category_source"] == "ai"
    assert ("SH-007", UNCATALOGUED) in findings  # still "not in the catalog"
    cached = superuser.execute(
        "SELECT category, source FROM vendor_enrichment WHERE vendor_key = %s", (UNCATALOGUED,)
    ).fetchone()
    assert cached == ("ai_notetaker", "ai")

    # The second scan asks nothing: every label comes from the cache, with the same findings.
    assert asked > 0 and len(requests) == asked
    again = await _findings(runtime, engagement, second)
    assert again.keys() == findings.keys()
    assert again[("SH-006", UNCATALOGUED)][0] == "unchanged"

    # The report's shadow-IT table shows the cached label and says where it came from.
    async with runtime.database.transaction(SystemActor("test", engagement)) as session:
        view = await build_view(session, second)
    (row,) = [v for v in view.shadow_it if v.domain == UNCATALOGUED]
    assert row.category.endswith("(AI-classified)") and row.risk == "H"


async def test_a_label_older_than_the_max_age_is_asked_again(
    runtime: Runtime, world: World, sandbox: Sandbox, superuser: psycopg.Connection
) -> None:
    engagement = world.engagements["eng_c"]
    with fake_anthropic(_label) as (url, requests):
        enriched = _with_enrichment(runtime, url, enrichment_max_age_days=30)
        await connect_and_scan_demo(enriched, engagement, "microsoft", sandbox)
        first = len(requests)
        # One label ages past the limit; every other one stays fresh.
        superuser.execute(
            "UPDATE failsafe.vendor_enrichment SET created_at = now() - interval '31 days'"
            " WHERE vendor_key = %s",
            (UNCATALOGUED,),
        )
        await connect_and_scan_demo(enriched, engagement, "microsoft", sandbox)

    asked_again = [vendor_of(r["body"])["domain"] for r in requests[first:]]
    assert asked_again == [UNCATALOGUED]
    refreshed = superuser.execute(
        "SELECT now() - created_at < interval '1 day' FROM failsafe.vendor_enrichment"
        " WHERE vendor_key = %s",
        (UNCATALOGUED,),
    ).fetchone()
    assert refreshed == (True,)


@pytest.mark.parametrize("failure", ["api_error", "timeout"])
async def test_scan_succeeds_when_the_api_fails(
    runtime: Runtime,
    world: World,
    sandbox: Sandbox,
    superuser: psycopg.Connection,
    failure: str,
) -> None:
    engagement = world.engagements["eng_c"]
    fault: dict[str, Any] = {"status": 500} if failure == "api_error" else {"delay": 3.0}
    budget = 30.0 if failure == "api_error" else 0.5
    with fake_anthropic(_label, **fault) as (url, requests), capture_logs() as logs:
        enriched = _with_enrichment(runtime, url, anthropic_budget_seconds=budget)
        scan_id = await connect_and_scan_demo(enriched, engagement, "microsoft", sandbox)

    assert requests
    assert await _status(runtime, engagement, scan_id) == "succeeded"
    findings = await _findings(runtime, engagement, scan_id)
    assert ("SH-007", UNCATALOGUED) in findings and ("SH-006", UNCATALOGUED) not in findings
    assert superuser.execute("SELECT count(*) FROM vendor_enrichment").fetchone() == (0,)
    failed = [e for e in logs if e["event"] == "enrichment.failed"]
    assert failed and failed[0]["scan_id"] == str(scan_id)
