"""Engagement settings from the portal over HTTP against the real database: sanctioning vendors
from the apps pages (what the rules match on), negotiated licence prices with their refusals,
the Settings tab, CSRF and isolation."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import psycopg
import pytest

from failsafe.catalog.loader import load_catalogs
from failsafe.detections.context import AllowList, Context, Thresholds
from failsafe.inventory.model import (
    App,
    AppUsage,
    EmailSignal,
    Grant,
    Inventory,
    Section,
    SectionResult,
    SectionStatus,
)
from failsafe.runtime import Runtime
from failsafe.settings import Settings
from tests.accounts.helpers import FakeClock
from tests.detections.factory import E3
from tests.portal.findings_seed import NOW, add_scan, small_inventory, wasteful_inventory
from tests.portal.pagekit import csrf_of, form_with, forms_of
from tests.portal.people import signed_in, world_with_passwords
from tests.world import World, as_system

MakeClient = Callable[[], httpx.AsyncClient]
USER = "user@contoso.example"


@pytest.fixture
def world(owner: psycopg.Connection, test_settings: Settings) -> World:
    return world_with_passwords(owner, test_settings)


def vendorful_inventory() -> Inventory:
    """Every way the apps page finds a vendor: a catalog app (Otter.ai) and its sender domain,
    an app known only by its domain, a sign-in by name (Slack), catalog and unknown senders."""
    inventory = small_inventory()
    sections = dict(inventory.sections)
    for section in (Section.APP_USAGE, Section.EMAIL_SIGNALS):
        sections[section] = SectionResult(section, SectionStatus.COLLECTED, 2)
    return dataclasses.replace(
        inventory,
        sections=sections,
        apps=[
            *inventory.apps,
            App("app-2", "Widget Sync", None, None, False, True, ("tools.acme-widgets.io",)),
        ],
        grants=[*inventory.grants, Grant("app-2", "delegated", ("Files.Read",), False, USER)],
        app_usage=[AppUsage(None, "Slack", USER, NOW, NOW, 3)],
        email_signals=[
            EmailSignal("notion.so", USER, "signup", NOW, NOW, 1),
            EmailSignal("mail.otter.ai", USER, "billing", NOW, NOW, 2),
            EmailSignal("hello.unknownsaas.dev", USER, "invite", NOW, NOW, 1),
        ],
    )


def stored(owner: psycopg.Connection, engagement: uuid.UUID) -> tuple[list[str], dict[str, Any]]:
    """(sanctioned, sku_prices) as saved, read as system; ([], {}) when nothing was saved."""
    with owner.transaction():
        as_system(owner)
        row = owner.execute(
            "SELECT sanctioned, sku_prices FROM engagement_settings WHERE engagement_id = %s",
            (engagement,),
        ).fetchone()
    return (list(row[0]), dict(row[1])) if row else ([], {})


def settings_audit(owner: psycopg.Connection, engagement: uuid.UUID) -> list[dict[str, Any]]:
    """Details of the engagement's settings audit rows, oldest first."""
    with owner.transaction():
        as_system(owner)
        rows = owner.execute(
            "SELECT details FROM audit_log WHERE engagement_id = %s"
            " AND action = 'engagement.settings_changed' ORDER BY id",
            (engagement,),
        ).fetchall()
    return [row[0] if isinstance(row[0], dict) else json.loads(row[0]) for row in rows]


def _row(html: str, marker: str) -> str:
    """The table row holding ``marker``."""
    for row in html.split("<tr>"):
        if marker in row:
            return row.split("</tr>")[0]
    raise AssertionError(f"no row with {marker}")


async def test_sanction_and_unsanction_a_vendor_from_the_apps_page(
    runtime: Runtime,
    world: World,
    new_client: MakeClient,
    clock: FakeClock,
    owner: psycopg.Connection,
) -> None:
    engagement = world.engagements["eng_a1"]
    await add_scan(runtime, engagement, vendorful_inventory())
    http = await signed_in(new_client, "client_a1.user", clock)
    base = f"/engagements/{engagement}/apps"

    page = (await http.get(base)).text
    assert "Sanctioned</span>" not in page
    # The grant row and the sender-domain row are one vendor: the same key, two forms.
    marks = [f for f in forms_of(page) if "Mark sanctioned: Otter.ai" in f.buttons]
    assert [f.fields["entry"] for f in marks] == [["otter-ai"]] * 2  # the rules' catalog id
    mark = marks[0]
    done = await http.post(mark.action, data=mark.data())
    assert done.status_code == 303
    assert done.headers["location"] == f"{base}?done=sanctioned"

    assert stored(owner, engagement) == (["otter-ai"], {})
    assert settings_audit(owner, engagement) == [{"sanctioned": 1, "sku_prices": 0}]
    shown = (await http.get(done.headers["location"])).text
    assert "Marked as sanctioned. It applies from the next scan" in shown
    for marker in (">&lt;img src=http://127.0.0.1:9/x&gt; Otter</a>", ">mail.otter.ai</a>"):
        assert '<span class="badge badge-ok">Sanctioned</span>' in _row(shown, marker)
    assert "Sanctioned</span>" not in _row(shown, ">notion.so</a>")

    remove = next(f for f in forms_of(shown) if "Remove from sanctioned: Otter.ai" in f.buttons)
    undone = await http.post(remove.action, data=remove.data())
    assert undone.status_code == 303 and undone.headers["location"] == f"{base}?done=unsanctioned"
    assert stored(owner, engagement) == ([], {})
    assert len(settings_audit(owner, engagement)) == 2
    again = (await http.get(undone.headers["location"])).text
    assert "Removed from sanctioned." in again and "Sanctioned</span>" not in again


async def test_each_rows_key_is_what_the_rules_match(
    runtime: Runtime,
    world: World,
    new_client: MakeClient,
    clock: FakeClock,
    owner: psycopg.Connection,
) -> None:
    engagement = world.engagements["eng_a1"]
    inventory = vendorful_inventory()
    await add_scan(runtime, engagement, inventory)
    http = await signed_in(new_client, "client_a1.user", clock)
    base = f"/engagements/{engagement}/apps"
    catalogs = load_catalogs()
    before = Context(inventory, catalogs, Thresholds(), AllowList())
    assert {e.subject for e in before.unsanctioned} == {
        "otter-ai", "acme-widgets.io", "slack", "notion", "unknownsaas.dev",
    }  # fmt: skip

    # Click every "Mark sanctioned" once per vendor, the way a person would.
    while True:
        page = (await http.get(base)).text
        marks = [f for f in forms_of(page) if any(b.startswith("Mark ") for b in f.buttons)]
        if not marks:
            break
        assert (await http.post(marks[0].action, data=marks[0].data())).status_code == 303

    sanctioned, _ = stored(owner, engagement)
    after = Context(inventory, catalogs, Thresholds(), AllowList.of(sanctioned))
    assert after.unsanctioned == []  # the next scan reports no shadow IT
    assert set(sanctioned) == {
        "otter-ai", "acme-widgets.io", "slack", "notion", "unknownsaas.dev",
    }  # fmt: skip


async def test_remove_takes_every_alias_and_the_detail_page_has_the_form(
    runtime: Runtime,
    world: World,
    new_client: MakeClient,
    clock: FakeClock,
    owner: psycopg.Connection,
) -> None:
    engagement = world.engagements["eng_a1"]
    await add_scan(runtime, engagement, vendorful_inventory())
    http = await signed_in(new_client, "client_a1.user", clock)
    # Sanctioned through the API by a domain and by the app id: the rules match both.
    token = csrf_of((await http.get("/account")).text)
    put = await http.put(
        f"/api/v1/engagements/{engagement}/settings",
        json={"sanctioned": ["otter.ai", "app-1", "slack"], "sku_prices": {}},
        headers={"x-csrf-token": token},
    )
    assert put.status_code == 200, put.text

    detail = f"/engagements/{engagement}/apps/app-1"
    page = (await http.get(detail)).text
    assert "is on the engagement's sanctioned list" in page
    remove = form_with(page, "Remove from sanctioned: Otter.ai")
    assert sorted(remove.fields["entry"]) == ["app-1", "otter.ai"]
    done = await http.post(remove.action, data=remove.data())
    assert done.headers["location"] == f"{detail}?done=unsanctioned"
    assert stored(owner, engagement)[0] == ["slack"]  # the other vendor stays
    after = (await http.get(done.headers["location"])).text
    assert any("Mark sanctioned: Otter.ai" in form.buttons for form in forms_of(after))


async def test_price_set_and_cleared_from_the_licences_page(
    runtime: Runtime,
    world: World,
    new_client: MakeClient,
    clock: FakeClock,
    owner: psycopg.Connection,
) -> None:
    engagement = world.engagements["eng_a1"]
    await add_scan(runtime, engagement, wasteful_inventory())
    http = await signed_in(new_client, "client_a1.user", clock)
    base = f"/engagements/{engagement}/licences"

    page = (await http.get(base)).text
    assert "$36.00 <span" in _row(page, "SPE_E3") and "list</span>" in _row(page, "SPE_E3")
    assert '<span class="muted">Microsoft 365 E3</span>' in _row(page, "SPE_E3")
    save = form_with(page, "Save price of Microsoft 365 E3")
    assert 'type="number" min="0" max="10000" step="0.01"' in _row(page, "SPE_E3")
    press = "Save price of Microsoft 365 E3"
    done = await http.post(save.action, data={**save.data(press), "price": "29.5"})
    assert done.status_code == 303 and done.headers["location"] == f"{base}?done=price-set"
    assert stored(owner, engagement) == ([], {E3: 29.5})
    shown = (await http.get(done.headers["location"])).text
    assert "Negotiated price saved." in shown
    row = _row(shown, "SPE_E3")
    assert "$29.50" in row and "negotiated" in row and "list $36.00" in row
    assert 'value="29.50"' in row
    assert "$9.00" in _row(shown, "AAD_PREMIUM_P2")  # other SKUs keep their list price

    press = "Clear negotiated price of Microsoft 365 E3"
    cleared = await http.post(
        form_with(shown, press).action, data=form_with(shown, press).data(press)
    )
    assert cleared.headers["location"] == f"{base}?done=price-cleared"
    assert stored(owner, engagement) == ([], {})
    assert len(settings_audit(owner, engagement)) == 2
    assert "negotiated</span>" not in (await http.get(base)).text


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-1", "must be between 0 and 10,000"),
        ("10000.01", "must be between 0 and 10,000"),
        ("12.345", "at most two decimals"),
        ("twelve", "must be a number"),
        ("nan", "must be a number"),
        ("", "Enter the negotiated price of Microsoft 365 E3"),
    ],
)
async def test_a_bad_price_is_refused_and_nothing_changes(
    runtime: Runtime,
    world: World,
    new_client: MakeClient,
    clock: FakeClock,
    owner: psycopg.Connection,
    typed: str,
    message: str,
) -> None:
    engagement = world.engagements["eng_a1"]
    await add_scan(runtime, engagement, wasteful_inventory())
    http = await signed_in(new_client, "client_a1.user", clock)
    base = f"/engagements/{engagement}/licences"
    save = form_with((await http.get(base)).text, "Save price of Microsoft 365 E3")

    press = "Save price of Microsoft 365 E3"
    refused = await http.post(save.action, data={**save.data(press), "price": typed})
    assert refused.status_code == 422
    assert message in refused.text
    assert 'class="alert alert-error" role="alert" id="price-error"' in refused.text
    row = _row(refused.text, "SPE_E3")
    assert f'value="{typed}"' in row and 'aria-invalid="true"' in row  # what was typed stays
    assert stored(owner, engagement) == ([], {})
    assert settings_audit(owner, engagement) == []


async def test_settings_tab_lists_adds_and_refuses(
    runtime: Runtime,
    world: World,
    new_client: MakeClient,
    clock: FakeClock,
    owner: psycopg.Connection,
) -> None:
    engagement = world.engagements["eng_a1"]
    http = await signed_in(new_client, "partner_a.user", clock)
    base = f"/engagements/{engagement}/settings"
    page = (await http.get(base)).text
    assert 'aria-current="page">Settings</a>' in page
    assert "Nothing is sanctioned yet." in page and "list prices apply" in page

    add = form_with(page, "Sanction")
    refused = await http.post(add.action, data={**add.data(), "entry": "not a domain!"})
    assert refused.status_code == 422
    assert "Not a vendor id, domain or app id" in refused.text
    assert 'value="not a domain!"' in refused.text
    assert stored(owner, engagement) == ([], {})

    added = await http.post(add.action, data={**add.data(), "entry": " Slack.com "})
    assert added.headers["location"] == f"{base}?done=sanctioned"
    again = await http.post(add.action, data={**add.data(), "entry": "slack.com"})
    assert again.status_code == 303
    assert stored(owner, engagement)[0] == ["slack.com"]
    assert len(settings_audit(owner, engagement)) == 1  # the repeat changed nothing
    listed = (await http.get(base)).text
    assert "<td>Slack</td>" in _row(listed, "<code>slack.com</code>")

    token = csrf_of(listed)
    await http.post(
        f"/engagements/{engagement}/licences/prices",
        data={"sku": "SPE_E3", "price": "30", "back": base, "csrf_token": token},
    )
    assert stored(owner, engagement)[1] == {"spe_e3": 30.0}
    priced = (await http.get(base)).text
    assert "$30.00" in _row(priced, "Microsoft 365 E3") and "$36.00" in priced
    press = "Clear negotiated price of Microsoft 365 E3"
    clear = form_with(priced, press)
    assert (await http.post(clear.action, data=clear.data(press))).status_code == 303
    remove = form_with((await http.get(base)).text, "Remove slack.com from sanctioned")
    assert (await http.post(remove.action, data=remove.data())).status_code == 303
    assert stored(owner, engagement) == ([], {})


async def test_writes_without_csrf_are_refused(
    runtime: Runtime,
    world: World,
    new_client: MakeClient,
    clock: FakeClock,
    owner: psycopg.Connection,
) -> None:
    engagement = world.engagements["eng_a1"]
    await add_scan(runtime, engagement, wasteful_inventory())
    http = await signed_in(new_client, "client_a1.user", clock)
    base = f"/engagements/{engagement}"
    for action, data in (
        ("settings/sanctioned", {"entry": "slack"}),
        ("settings/sanctioned/remove", {"entry": "slack"}),
        ("licences/prices", {"sku": E3, "price": "1", "action": "save"}),
    ):
        response = await http.post(f"{base}/{action}", data=data)
        assert response.status_code == 403, action
        forged = await http.post(f"{base}/{action}", data={**data, "csrf_token": "x" * 43})
        assert forged.status_code == 403, action
    assert stored(owner, engagement) == ([], {})
    assert settings_audit(owner, engagement) == []


@pytest.mark.parametrize("outsider", ["client_b1.user", "partner_b.user"])
async def test_outsiders_get_404_and_change_nothing(
    runtime: Runtime,
    world: World,
    new_client: MakeClient,
    clock: FakeClock,
    owner: psycopg.Connection,
    outsider: str,
) -> None:
    engagement = world.engagements["eng_a1"]
    await add_scan(runtime, engagement, wasteful_inventory())
    insider = await signed_in(new_client, "client_a1.user", clock)
    token = csrf_of((await insider.get("/account")).text)
    await insider.put(
        f"/api/v1/engagements/{engagement}/settings",
        json={"sanctioned": ["slack"], "sku_prices": {"spe_e3": 20}},
        headers={"x-csrf-token": token},
    )
    before = stored(owner, engagement)

    other = await signed_in(new_client, outsider, clock)
    token = csrf_of((await other.get("/account")).text)
    base = f"/engagements/{engagement}"
    page = await other.get(f"{base}/settings")
    assert page.status_code == 404 and "slack" not in page.text
    for action, data in (
        ("settings/sanctioned", {"entry": "dropbox"}),
        ("settings/sanctioned/remove", {"entry": "slack"}),
        ("licences/prices", {"sku": E3, "price": "1", "action": "save"}),
        ("licences/prices", {"sku": "spe_e3", "action": "clear"}),
    ):
        response = await other.post(f"{base}/{action}", data={**data, "csrf_token": token})
        assert response.status_code == 404, action
        assert "slack" not in response.text
    assert stored(owner, engagement) == before
    assert len(settings_audit(owner, engagement)) == 1  # the insider's own change only


async def test_back_never_leaves_the_engagement(
    world: World, new_client: MakeClient, clock: FakeClock
) -> None:
    engagement = world.engagements["eng_a1"]
    http = await signed_in(new_client, "client_a1.user", clock)
    token = csrf_of((await http.get(f"/engagements/{engagement}/settings")).text)
    for back in (
        "https://evil.example/",
        "//evil.example/x",
        f"/engagements/{world.engagements['eng_b1']}/apps",
        "/home",
    ):
        response = await http.post(
            f"/engagements/{engagement}/settings/sanctioned",
            data={"entry": "slack", "back": back, "csrf_token": token},
        )
        assert response.headers["location"] == (
            f"/engagements/{engagement}/settings?done=sanctioned"
        ), back


async def test_simultaneous_sanctions_all_land(
    world: World, new_client: MakeClient, clock: FakeClock, owner: psycopg.Connection
) -> None:
    engagement = world.engagements["eng_a1"]
    people = [await signed_in(new_client, "client_a1.user", clock) for _ in range(2)]
    people.append(await signed_in(new_client, "partner_a.user", clock))
    tokens = [csrf_of((await http.get("/account")).text) for http in people]
    vendors = ["slack", "zoom", "dropbox", "notion", "figma", "miro"]

    responses = await asyncio.gather(
        *(
            people[i % 3].post(
                f"/engagements/{engagement}/settings/sanctioned",
                data={"entry": vendor, "csrf_token": tokens[i % 3]},
            )
            for i, vendor in enumerate(vendors)
        )
    )
    assert [r.status_code for r in responses] == [303] * len(vendors)
    assert stored(owner, engagement)[0] == sorted(vendors)  # no change lost to another
    assert len(settings_audit(owner, engagement)) == len(vendors)
