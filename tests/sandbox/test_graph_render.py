"""Rendering shortcuts answer exactly what the full resource would."""

from __future__ import annotations

from failsafe.connectors.graph.activity import SIGN_IN_FIELDS
from failsafe.sandbox import TenantSpec
from failsafe.sandbox import graph_signins as gs


def test_selected_sign_in_fields_match_the_full_resource() -> None:
    spec = TenantSpec(seed=5, users=60, profile="risky")
    names = SIGN_IN_FIELDS.split(",")

    for n in (0, 1, 7, gs.sign_in_count(spec) - 1):
        event = gs.sign_in_event(spec, n)
        full = gs.sign_in_json(spec, event, n)

        assert gs.sign_in_selected(spec, event, n, names) == {
            k: full.get(k) for k in ("id", *names)
        }


def test_a_selection_without_a_shortcut_falls_back_to_the_full_resource() -> None:
    spec = TenantSpec(seed=5, users=60)
    event = gs.sign_in_event(spec, 3)
    full = gs.sign_in_json(spec, event, 3)

    assert gs.sign_in_selected(spec, event, 3, ["ipAddress", "appId"]) == {
        "id": full["id"],
        "ipAddress": full["ipAddress"],
        "appId": full["appId"],
    }
