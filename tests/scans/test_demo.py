from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from failsafe.catalog.loader import load_catalogs
from failsafe.db.actor import SystemActor
from failsafe.detections.engine import evaluate, findings_of
from failsafe.engagements.settings import save_settings, validated
from failsafe.inventory.load import load_inventory
from failsafe.reports.build import build_view
from failsafe.reports.view import ReportView
from failsafe.runtime import Runtime
from failsafe.sandbox import Sandbox, TenantSpec, running_sandbox
from failsafe.scans import service as scans
from failsafe.scans.demo import connect_and_scan_demo
from tests.world import World


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with running_sandbox(TenantSpec(seed=5, users=45, profile="risky")) as running:
        yield running


@pytest.mark.parametrize("provider", ["microsoft", "google"])
async def test_connect_and_scan_demo(
    runtime: Runtime, world: World, sandbox: Sandbox, provider: str
) -> None:
    engagement = world.engagements["eng_c"]
    sandbox.log.clear()
    scan_id = await connect_and_scan_demo(runtime, engagement, provider, sandbox)  # type: ignore[arg-type]
    async with runtime.database.transaction(SystemActor("test", engagement)) as session:
        view = await scans.get_scan(session, scan_id)
        inventory = await load_inventory(session, scan_id)
    expected = "succeeded" if provider == "microsoft" else "partial"  # Google: no CA/consent
    assert view.status == expected and view.trigger == "demo"
    assert len(inventory.identities) == 45 and inventory.email_signals
    assert sandbox.log.only_reads()
    # The scan stored exactly what the rules find in its inventory, all new on a first scan.
    expected = {(f.rule_id, f.subject) for f in findings_of(evaluate(inventory))}
    stored = await _findings(runtime, engagement, scan_id)
    assert expected and {(rule, subject) for rule, subject, _ in stored} == expected
    assert {change for _, _, change in stored} == {"new"}

    # A second demo run reuses the connection, and the same tenant's findings are unchanged.
    again = await connect_and_scan_demo(runtime, engagement, provider, sandbox)  # type: ignore[arg-type]
    assert again != scan_id
    rescanned = await _findings(runtime, engagement, again)
    assert {(rule, subject) for rule, subject, _ in rescanned} == expected
    assert {change for _, _, change in rescanned} == {"unchanged"}


async def _findings(
    runtime: Runtime, engagement: uuid.UUID, scan_id: uuid.UUID
) -> list[tuple[str, str, str]]:
    async with runtime.database.transaction(SystemActor("test", engagement)) as session:
        rows = await session.execute(
            text("SELECT rule_id, subject, change FROM findings WHERE scan_id = :s"),
            {"s": scan_id},
        )
        return [(r.rule_id, r.subject, r.change) for r in rows]


async def test_engagement_settings_apply_to_the_next_scan(
    runtime: Runtime, world: World, sandbox: Sandbox
) -> None:
    engagement = world.engagements["eng_c"]
    first = await connect_and_scan_demo(runtime, engagement, "microsoft", sandbox)
    before = await _stored(runtime, engagement, first)
    shadow = sorted(subject for rule, subject in before if rule.startswith("SH-"))
    licences = {subject: cost for (rule, subject), cost in before.items() if rule == "LW-001"}
    assert shadow and licences, "the risky tenant has unsanctioned vendors and idle seats"
    sku, list_cost = next(iter(licences.items()))

    actor = SystemActor("test", engagement)
    async with runtime.database.transaction(actor) as session:
        sanctioned_before = _sanctioned_rows(await build_view(session, first))
        await save_settings(
            session,
            actor,
            engagement,
            validated([shadow[0]], {sku: 0.5}),
        )
    second = await connect_and_scan_demo(runtime, engagement, "microsoft", sandbox)
    after = await _stored(runtime, engagement, second)

    # The sanctioned vendor no longer counts as shadow IT; every other vendor still does.
    assert {s for r, s in after if r.startswith("SH-")} == set(shadow) - {shadow[0]}
    # The report's inventory table marks it sanctioned from now on, even for the older scan.
    async with runtime.database.transaction(actor) as session:
        assert _sanctioned_rows(await build_view(session, first)) == sanctioned_before + 1
    seats = list_cost / _catalog_price(sku)
    assert after[("LW-001", sku)] == pytest.approx(seats * 0.5)


def _sanctioned_rows(view: ReportView) -> int:
    return sum(1 for vendor in view.shadow_it if vendor.sanctioned)


def _catalog_price(sku: str) -> float:
    price = load_catalogs().skus.price(sku)
    assert price
    return price


async def _stored(
    runtime: Runtime, engagement: uuid.UUID, scan_id: uuid.UUID
) -> dict[tuple[str, str], float | None]:
    async with runtime.database.transaction(SystemActor("test", engagement)) as session:
        rows = await session.execute(
            text("SELECT rule_id, subject, monthly_cost FROM findings WHERE scan_id = :s"),
            {"s": scan_id},
        )
        return {
            (r.rule_id, r.subject): None if r.monthly_cost is None else float(r.monthly_cost)
            for r in rows
        }
