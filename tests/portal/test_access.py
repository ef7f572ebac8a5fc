"""Access control of every portal page over HTTP: sign-in, 404 across tenants, admin only."""

from __future__ import annotations

import uuid

import httpx
import psycopg
import pytest

from failsafe.settings import Settings
from tests.accounts.helpers import FakeClock
from tests.portal.pagekit import csrf_of
from tests.portal.people import signed_in, world_with_passwords

ENGAGEMENT_PAGES = (
    "",
    "/findings",
    "/apps",
    "/identities",
    "/licences",
    "/connections",
    "/scans",
    "/reports",
)
ADMIN_PAGES = ("/admin", "/admin/engagements", "/admin/users", "/admin/audit", "/admin/audit.csv")


@pytest.fixture
def world(owner: psycopg.Connection, test_settings: Settings):  # type: ignore[no-untyped-def]
    return world_with_passwords(owner, test_settings)


async def test_anonymous_is_sent_to_sign_in(client: httpx.AsyncClient, world) -> None:  # type: ignore[no-untyped-def]
    engagement = world.engagements["eng_a1"]
    for page in ENGAGEMENT_PAGES:
        response = await client.get(f"/engagements/{engagement}{page}")
        assert response.status_code == 303, page
        assert response.headers["location"].startswith("/signin?next=")


async def test_partner_sees_own_clients_and_404s_the_rest(
    new_client,
    world,
    clock: FakeClock,  # type: ignore[no-untyped-def]
) -> None:
    http = await signed_in(new_client, "partner_a.user", clock)
    home = await http.get("/home")
    assert "eng_a1" in home.text and "eng_a2" in home.text
    assert "eng_b1" not in home.text and "eng_c" not in home.text
    for page in ENGAGEMENT_PAGES:
        assert (
            await http.get(f"/engagements/{world.engagements['eng_a1']}{page}")
        ).status_code == 200, page
        for other in ("eng_b1", "eng_c"):
            response = await http.get(f"/engagements/{world.engagements[other]}{page}")
            assert response.status_code == 404, (other, page)
            assert other not in response.text


async def test_client_of_another_partner_gets_404(
    new_client,
    world,
    clock: FakeClock,  # type: ignore[no-untyped-def]
) -> None:
    http = await signed_in(new_client, "client_b1.user", clock)
    assert (await http.get(f"/engagements/{world.engagements['eng_b1']}")).status_code == 200
    for page in ENGAGEMENT_PAGES:
        response = await http.get(f"/engagements/{world.engagements['eng_a1']}{page}")
        assert response.status_code == 404, page
    unknown = await http.get(f"/engagements/{uuid.uuid4()}")
    assert unknown.status_code == 404


async def test_writes_to_another_tenant_are_404_and_csrf_is_required(
    new_client,
    world,
    clock: FakeClock,  # type: ignore[no-untyped-def]
) -> None:
    http = await signed_in(new_client, "client_b1.user", clock)
    page = await http.get("/account")
    token = csrf_of(page.text)
    target = world.engagements["eng_a1"]
    for action, data in (
        ("/scans", {"connection_id": str(uuid.uuid4())}),
        ("/reports", {}),
        ("/invite", {"email": "x@y.test"}),
        ("/connections/microsoft", {}),
    ):
        response = await http.post(
            f"/engagements/{target}{action}", data={**data, "csrf_token": token}
        )
        assert response.status_code == 404, action
    own = world.engagements["eng_b1"]
    response = await http.post(f"/engagements/{own}/reports", data={})
    assert response.status_code == 403


async def test_admin_console_is_admins_only(
    new_client,
    world,
    clock: FakeClock,  # type: ignore[no-untyped-def]
) -> None:
    partner = await signed_in(new_client, "partner_a.user", clock)
    for page in ADMIN_PAGES:
        assert (await partner.get(page)).status_code == 404, page
    admin = await signed_in(new_client, "staff.admin", clock)
    for page in ADMIN_PAGES:
        assert (await admin.get(page)).status_code == 200, page
    csv = await admin.get("/admin/audit.csv?action=auth.")
    assert csv.headers["content-type"].startswith("text/csv")
    assert "auth.signed_in" in csv.text
    assert (await admin.get(f"/engagements/{world.engagements['eng_b1']}")).status_code == 200
