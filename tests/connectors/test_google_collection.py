from __future__ import annotations

import json
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from failsafe.connectors.collect import collect_tenant
from failsafe.connectors.google.auth import GoogleCredentials
from failsafe.connectors.plan import CollectionPlan
from failsafe.inventory.model import Section, SectionStatus
from failsafe.settings import Settings
from tests.connectors.conftest import SleepRecorder
from tests.connectors.fake_google import FakeGoogle, P


@pytest.fixture(scope="module")
def google_credentials() -> GoogleCredentials:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    info = {
        "type": "service_account",
        "private_key_id": "k1",
        "private_key": pem,
        "client_email": "scanner@p.iam.gserviceaccount.com",
        "client_id": "123",
        "token_uri": "https://oauth2.googleapis.com/token",
    }
    return GoogleCredentials(info, "admin@acme.example")


@pytest.fixture
def google_settings(tmp_path) -> Settings:  # type: ignore[no-untyped-def]
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=tmp_path,
        google_token_uri="https://google.test/token",
        google_admin_base_url="https://google.test",
        google_licensing_base_url="https://google.test",
        google_gmail_base_url="https://google.test",
        google_batch_url="https://google.test/batch",
        scan_concurrency=3,
        http_max_retries=3,
    )


async def test_google_collection(
    google_settings: Settings,
    google_credentials: GoogleCredentials,
    plan: CollectionPlan,
    sleeps: SleepRecorder,
) -> None:
    fake = FakeGoogle(users=12, faults={"/admin/directory/v1/users": ["403rate", "503"]})
    result = await collect_tenant(
        google_settings, google_credentials, plan, transport=fake.transport(), sleep=sleeps
    )
    inv = result.inventory
    collected = {s for s, r in inv.sections.items() if r.status is SectionStatus.COLLECTED}
    assert collected >= {
        Section.USERS,
        Section.MFA,
        Section.ADMIN_ROLES,
        Section.GRANTS,
        Section.APPS,
        Section.APP_USAGE,
        Section.LICENSES,
        Section.EMAIL_SIGNALS,
    }
    assert inv.tenant.tenant_id == "C0123" and inv.tenant.domains == ("acme.example",)
    assert len(inv.identities) == 12 and len(sleeps.waits) == 2
    admin = next(i for i in inv.identities if i.email == "user0@acme.example")
    assert admin.is_admin and "security_key" in admin.mfa_methods
    assert next(i for i in inv.identities if i.id == "1001").last_sign_in_at is None
    assert not next(i for i in inv.identities if i.id == "1002").enabled
    grants = [(g.user, g.scopes, g.source) for g in inv.grants]
    assert grants == [("user1@acme.example", (P + "gmail.readonly",), "token_audit")]
    assert inv.app_usage[0].app_id == "otter.apps"
    assert (
        inv.license_skus[0].sku_id == "Google-Apps/1010020028"
        and inv.license_skus[0].assigned == 12
    )
    enabled = 11
    assert sum(s.count for s in inv.email_signals) == enabled * 3
    for request in fake.log:
        assert request.method == "GET" or request.url.path in ("/token", "/batch")


async def test_scope_not_delegated_is_a_named_partial_section(
    google_settings: Settings,
    google_credentials: GoogleCredentials,
    plan: CollectionPlan,
    sleeps: SleepRecorder,
) -> None:
    fake = FakeGoogle(users=6)
    fake.allowed_scopes.discard(P + "apps.licensing")
    fake.allowed_scopes.discard(P + "gmail.metadata")
    inv = (
        await collect_tenant(
            google_settings, google_credentials, plan, transport=fake.transport(), sleep=sleeps
        )
    ).inventory
    for section in (Section.LICENSES, Section.EMAIL_SIGNALS):
        result = inv.sections[section]
        assert result.status is SectionStatus.NOT_ASSESSED
        assert result.reason and "unauthorized_client" in result.reason
    assert inv.assessed(Section.USERS) and inv.assessed(Section.GRANTS)
    assert json.dumps([r.reason for r in inv.sections.values()])


def _impersonating(client_id: str, user: str, scopes: list[str]) -> dict[str, Any]:
    """A token-audit authorize event of an app acting as ``user`` (domain-wide delegation)."""
    return {
        "id": {"time": "2026-10-05T00:00:00.000Z"},
        "actor": {
            "email": user,
            "applicationInfo": {
                "oauthClientId": client_id,
                "applicationName": "Backup",
                "impersonation": True,
            },
        },
        "events": [
            {
                "name": "authorize",
                "parameters": [
                    {"name": "client_id", "value": client_id},
                    {"name": "client_type", "value": "TYPE_UNSPECIFIED"},
                    {"name": "scope", "multiValue": scopes},
                ],
            }
        ],
    }


async def test_delegation_admin_flags_and_unquoted_sender_names(
    google_settings: Settings,
    google_credentials: GoogleCredentials,
    plan: CollectionPlan,
    sleeps: SleepRecorder,
) -> None:
    fake = FakeGoogle(
        users=6,
        delegated_admins=frozenset({3}),
        sender="tl;dv <billing@tldv.io>",
        extra_token_items=[
            _impersonating("backup-sa", "user4@acme.example", ["https://mail.google.com/"]),
            _impersonating("backup-sa", "user5@acme.example", [P + "drive"]),
            # FailSafe's own service account (client id 123 of the key) is not a finding.
            _impersonating("123", "user0@acme.example", [P + "gmail.metadata"]),
        ],
    )
    inv = (
        await collect_tenant(
            google_settings, google_credentials, plan, transport=fake.transport(), sleep=sleeps
        )
    ).inventory

    # isDelegatedAdmin marks an admin of a lesser role, never a super admin.
    assert {a.user for a in inv.role_assignments if a.is_global_admin} == {"user0@acme.example"}
    assert next(i for i in inv.identities if i.email == "user3@acme.example").is_admin

    domain_wide = [
        (g.app_id, g.scopes, g.all_users, g.user) for g in inv.grants if g.kind == "domain_wide"
    ]
    assert domain_wide == [("backup-sa", ("https://mail.google.com/", P + "drive"), True, None)]
    assert not [g for g in inv.grants if g.app_id == "backup-sa" and g.kind != "domain_wide"]
    assert "123" not in {a.app_id for a in inv.apps}

    # "tl;dv" is an unquoted special in the display name; the address must still be read.
    assert {(s.vendor_domain, s.kind) for s in inv.email_signals} == {("tldv.io", "billing")}
