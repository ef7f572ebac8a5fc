"""The sender classifier the connectors call during normalisation."""

from __future__ import annotations

import pytest

from failsafe.inventory.email import SenderClass, classify_sender

OWN = frozenset({"contoso.com"})


def test_catalog_vendor_mail_domain_is_attributed_to_the_vendor() -> None:
    assert classify_sender("no-reply@mail.notion.so", OWN) == SenderClass(
        vendor_domain="notion.so", kind="notification", vendor_id="notion"
    )


def test_unknown_vendor_is_its_registrable_domain() -> None:
    assert classify_sender("Billing@Mail.TLDV.io", OWN) == SenderClass("tldv.io", "billing")


def test_billing_word_outweighs_noreply() -> None:
    found = classify_sender("noreply-invoices@example-saas.com", OWN)
    assert found is not None and found.kind == "billing"


@pytest.mark.parametrize(
    "address",
    [
        "jane.doe@example-saas.com",  # a person
        "billing@contoso.com",  # the tenant itself
        "alerts@eu.contoso.com",  # a subdomain of the tenant
        "noreply@gmail.com",  # a consumer mailbox
        "no-reply@microsoft.com",  # the tenant's own provider
        "notifications@sendgrid.net",  # a bulk-sending platform: brand unknown
        "not-an-address",
    ],
)
def test_people_own_mail_and_platforms_are_not_vendors(address: str) -> None:
    assert classify_sender(address, OWN) is None
