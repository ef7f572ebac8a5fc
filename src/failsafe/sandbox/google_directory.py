"""Admin SDK Directory (users, roles, role assignments, tokens) and the Licensing API."""

from __future__ import annotations

import re
from typing import Final

from failsafe.sandbox import catalog
from failsafe.sandbox import google_model as gmod
from failsafe.sandbox.google_auth import GoogleCaller
from failsafe.sandbox.google_paging import GoogleBadRequest, listing, max_results, respond
from failsafe.sandbox.people import email, person, resolve
from failsafe.sandbox.spec import company
from failsafe.sandbox.wire import Reply, Req, google_error, google_forbidden

G: Final = "google"
KNOWN_PRODUCTS = frozenset({catalog.GOOGLE_PRODUCT, "101068", "101047", "Google-Vault"})


def _customer_ok(caller: GoogleCaller, value: str | None) -> bool:
    return value in ("my_customer", company(caller.spec).customer_id)


def users(caller: GoogleCaller, req: Req, m: re.Match[str]) -> Reply:
    """GET the user list (paged, ``$select`` / ``fields`` honoured)."""
    if not caller.has("admin.directory.user.readonly", "admin.directory.user"):
        return google_forbidden("Request had insufficient authentication scopes.")
    if not caller.is_admin:
        return google_forbidden()
    customer, domain = req.arg("customer"), req.arg("domain")
    if customer is None and domain is None:
        raise GoogleBadRequest("Bad Request")
    if customer is not None and not _customer_ok(caller, customer):
        return google_forbidden()
    if domain is not None and domain.lower() != company(caller.spec).domain:
        return google_forbidden()
    if req.arg("query"):
        # Limitation: the Directory search syntax (``query``) is not simulated.
        raise GoogleBadRequest("Invalid Input: query")
    if req.arg("projection", "basic") not in ("basic", "full", "custom"):
        raise GoogleBadRequest("Invalid projection")
    spec = caller.spec
    return listing(
        req,
        spec.users,
        lambda i: gmod.user_json(spec, i),
        key="users",
        size=max_results(req, 100, 500),
        head={"kind": "admin#directory#users", "etag": f'"{spec.seed}"'},
    )


def roles(caller: GoogleCaller, req: Req, m: re.Match[str]) -> Reply:
    """GET roles.list."""
    denied = _role_scope(caller, m)
    if denied:
        return denied
    items = gmod.roles_json()
    return listing(
        req,
        len(items),
        lambda i: items[i],
        key="items",
        size=max_results(req, 100, 100),
        head={"kind": "admin#directory#roles"},
    )


def role_assignments(caller: GoogleCaller, req: Req, m: re.Match[str]) -> Reply:
    """GET role assignments."""
    denied = _role_scope(caller, m)
    if denied:
        return denied
    items = gmod.role_assignments_json(caller.spec)
    if req.arg("roleId"):
        items = [i for i in items if i["roleId"] == req.arg("roleId")]
    if req.arg("userKey"):
        index = resolve(caller.spec, G, str(req.arg("userKey")))
        items = [
            i
            for i in items
            if index is not None
            and i["assignedTo"] == str(gmod.user_json(caller.spec, index)["id"])
        ]
    return listing(
        req,
        len(items),
        lambda i: items[i],
        key="items",
        size=max_results(req, 100, 200),
        head={"kind": "admin#directory#roleAssignments"},
    )


def _role_scope(caller: GoogleCaller, m: re.Match[str]) -> Reply | None:
    if not caller.has("admin.directory.rolemanagement.readonly", "admin.directory.rolemanagement"):
        return google_forbidden("Request had insufficient authentication scopes.")
    if not caller.is_admin or not _customer_ok(caller, m.group("customer")):
        return google_forbidden()
    return None


def tokens(caller: GoogleCaller, req: Req, m: re.Match[str]) -> Reply:
    """GET tokens.list of one user (unpaged)."""
    if not caller.has("admin.directory.user.security"):
        return google_forbidden("Request had insufficient authentication scopes.")
    if not caller.is_admin:
        return google_forbidden()
    index = resolve(caller.spec, G, m.group("user"))
    if index is None:
        return google_error(404, "notFound", "Resource Not Found: userKey")
    body: dict[str, object] = {"kind": "admin#directory#tokenList", "etag": f'"{index}"'}
    items = gmod.tokens_json(caller.spec, index)
    if items:
        body["items"] = items
    return respond(req, body)


def license_users(caller: GoogleCaller, req: Req, m: re.Match[str]) -> Reply:
    """GET licence assignments of a product (``customerId`` required)."""
    if not caller.has("apps.licensing"):
        return google_forbidden("Request had insufficient authentication scopes.")
    if not caller.is_admin:
        return google_forbidden()
    customer = req.arg("customerId")
    if not customer:
        raise GoogleBadRequest("Required parameter: customerId")
    if customer not in (company(caller.spec).customer_id, company(caller.spec).domain):
        return google_forbidden()
    product, sku = m.group("product"), m.group("sku")
    if product not in KNOWN_PRODUCTS:
        raise GoogleBadRequest("Invalid productId")
    spec = caller.spec
    total = (
        spec.users
        if product == catalog.GOOGLE_PRODUCT and sku in (None, catalog.GOOGLE_SKU[0])
        else 0
    )

    def render(i: int) -> dict[str, str] | None:
        p = person(spec, G, i)
        if "google" not in p.licenses:
            return None
        user = email(spec, G, p)
        return {
            "kind": "licensing#licenseAssignment",
            "etags": f'"{i}"',
            "productId": catalog.GOOGLE_PRODUCT,
            "productName": "Google Workspace",
            "skuId": catalog.GOOGLE_SKU[0],
            "skuName": catalog.GOOGLE_SKU[1],
            "userId": user,
            "selfLink": f"{req.base}/apps/licensing/v1/product/{catalog.GOOGLE_PRODUCT}"
            f"/sku/{catalog.GOOGLE_SKU[0]}/user/{user}",
        }

    return listing(
        req,
        total,
        render,
        key="items",
        size=max_results(req, 100, 1000),
        head={"kind": "licensing#licenseAssignmentList", "etag": '"lic"'},
    )
