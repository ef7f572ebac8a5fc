"""AI labels of uncatalogued vendors in the rules, and what may be asked about which vendor."""

from __future__ import annotations

from failsafe.catalog.loader import load_catalogs
from failsafe.detections.context import AllowList, Context, Thresholds
from failsafe.detections.vendors import unknown_vendors
from failsafe.enrichment.models import Classification, unclassified
from failsafe.inventory.model import App, Grant, Inventory
from tests.detections.factory import ago, healthy, run, subjects
from tests.detections.test_rules import delegated, mail

NOTETAKER = Classification(category="ai_notetaker", risk="H", summary="Records meetings")


def test_an_ai_label_puts_an_uncatalogued_vendor_under_its_category_rule() -> None:
    inventory = healthy()
    mail(inventory, "tldv.io", "billing")
    outcome = run(inventory, "SH-006", vendor_labels={"tldv.io": NOTETAKER})
    (finding,) = outcome.findings
    assert finding.subject == "tldv.io"
    assert finding.evidence["category"] == "ai_notetaker"
    assert finding.evidence["category_source"] == "ai" and finding.evidence["ai_risk"] == "H"
    assert "catalog_risk" not in finding.evidence


def test_without_an_ai_label_the_vendor_stays_outside_category_rules() -> None:
    inventory = healthy()
    mail(inventory, "tldv.io", "billing")
    assert run(inventory, "SH-006").findings == ()
    assert run(inventory, "SH-006", vendor_labels={"tldv.io": unclassified()}).findings == ()


def test_a_newsletter_sender_is_not_in_use_whatever_its_label() -> None:
    inventory = healthy()
    mail(inventory, "tldv.io", "notification")
    assert run(inventory, "SH-006", vendor_labels={"tldv.io": NOTETAKER}).findings == ()


def test_the_catalog_wins_over_a_label() -> None:
    inventory = healthy()
    mail(inventory, "otter.ai", "notification")
    storage = Classification(category="storage", risk="H")
    assert subjects(run(inventory, "SH-006", vendor_labels={"otter.ai": storage})) == {"otter-ai"}
    assert run(inventory, "SH-005", vendor_labels={"otter.ai": storage}).findings == ()


def _with_apps(inventory: Inventory) -> None:
    for app_id, publisher, verified, domain in (
        ("a-verified", "PDF Toolbox Ltd", True, "pdf-toolbox.io"),
        ("a-unverified", "Secret Project Contoso", False, "quiet-vendor.io"),
        ("a-own", "Contoso IT", True, "contoso.com"),
    ):
        inventory.apps.append(
            App(app_id, f"{publisher} app", publisher, verified, False, True, (domain,))
        )
        inventory.grants.append(delegated(app_id, "User.Read"))
    inventory.grants.append(
        Grant("a-unverified", "delegated", ("User.Read",), False, "dee@contoso.com", ago(3))
    )


def test_only_public_names_and_domains_of_vendors_in_use_are_offered() -> None:
    inventory = healthy()
    _with_apps(inventory)
    mail(inventory, "tldv.io", "signup")
    mail(inventory, "newsletter.example", "notification")
    mail(inventory, "notion.so", "signup")  # in the catalog
    ctx = Context(inventory, load_catalogs(), Thresholds(), AllowList())

    assert unknown_vendors(ctx) == [
        ("quiet-vendor.io", "quiet-vendor.io"),  # two users; its unverified name stays home
        ("pdf-toolbox.io", "PDF Toolbox Ltd"),  # a verified publisher's name is public
        ("tldv.io", "tldv.io"),
    ]
