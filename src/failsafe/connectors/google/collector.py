"""The Google Workspace collection: every section, concurrently where they are independent."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from failsafe.connectors.errors import CollectionError
from failsafe.connectors.google import directory, licensing, reports
from failsafe.connectors.google.client import GoogleClient
from failsafe.connectors.google.gmail import GmailReader
from failsafe.connectors.plan import CollectionPlan
from failsafe.connectors.sections import SectionRunner, run_all
from failsafe.inventory.builder import InventoryBuilder
from failsafe.inventory.model import Section

S = Section
NOT_IN_GOOGLE = "Google Workspace has no equivalent setting readable with read-only scopes"

WEIGHTS = {
    S.USERS: 10,
    S.ADMIN_ROLES: 2,
    S.APPS: 2,
    S.GRANTS: 5,
    S.APP_USAGE: 10,
    S.LICENSES: 3,
    S.EMAIL_SIGNALS: 50,
}


async def collect(
    google: GoogleClient, builder: InventoryBuilder, runner: SectionRunner, plan: CollectionPlan
) -> None:
    """Fill ``builder`` from one Google customer."""
    index = directory.GoogleIndex()
    workers = google.http.options.concurrency
    gmail = None
    if plan.mail_since is not None:
        # The admin's domain is known before any user page arrives; mail from it is never a
        # vendor, and the users section adds the rest as it reads them.
        index.domains.add(google.credentials.admin_email.rpartition("@")[2].lower())
        gmail = GmailReader(
            google, builder, plan.mail_since, plan.started_at, workers, index.domains
        )
    chains: list[Awaitable[object]] = [
        _directory_chain(google, builder, runner, index, plan, gmail),
        _token_chain(google, builder, runner, plan),
    ]
    if gmail is not None:
        chains.append(runner.run(S.EMAIL_SIGNALS, gmail.run))
    else:
        builder.not_assessed(S.EMAIL_SIGNALS, "mail metadata is turned off for this connection")
    await run_all(*chains)
    await _grants(google, builder, runner, plan)
    # Limitation: consent policy and conditional access are Microsoft concepts; Google's
    # equivalents (API access controls, context-aware access) have no read-only API.
    builder.not_assessed(S.CONSENT_POLICY, NOT_IN_GOOGLE)
    builder.not_assessed(S.CONDITIONAL_ACCESS, NOT_IN_GOOGLE)


async def _directory_chain(
    google: GoogleClient,
    builder: InventoryBuilder,
    runner: SectionRunner,
    index: directory.GoogleIndex,
    plan: CollectionPlan,
    gmail: GmailReader | None,
) -> None:
    try:
        await runner.run(
            S.USERS,
            lambda: directory.users(google, builder, index, gmail.feed if gmail else None),
        )
    finally:
        if gmail is not None:
            failed = not builder.is_collected(S.USERS)
            await gmail.close(
                CollectionError("the user list could not be read") if failed else None
            )
    for section in (S.ORGANIZATION, S.MFA):
        if builder.is_collected(S.USERS):
            builder.collected(section, len(builder.users))  # both come with users.list
        else:
            builder.not_assessed(section, "users were not read")
    await runner.run(
        S.SIGN_IN_ACTIVITY,
        lambda: reports.login_audit(google, builder, index, plan.started_at),
        needs=(S.USERS,),
    )
    await runner.run(
        S.ADMIN_ROLES, lambda: directory.admin_roles(google, builder, index), needs=(S.USERS,)
    )
    await runner.run(
        S.LICENSES, lambda: licensing.licenses(google, builder, index), needs=(S.USERS,)
    )


async def _token_chain(
    google: GoogleClient, builder: InventoryBuilder, runner: SectionRunner, plan: CollectionPlan
) -> None:
    """The token audit log is the primary source of apps, grants and app use."""
    if await runner.run(S.APPS, lambda: reports.token_audit(google, builder, plan.started_at)):
        builder.collected(S.APP_USAGE, len(builder.sign_ins))
    else:
        builder.not_assessed(S.APP_USAGE, "the token audit log could not be read")


async def _grants(
    google: GoogleClient, builder: InventoryBuilder, runner: SectionRunner, plan: CollectionPlan
) -> None:
    """Grants come from the token log; opted-in connections add tokens.list per user."""
    if not plan.user_tokens:
        await runner.run(S.GRANTS, _count(len(builder.grants)), needs=(S.APPS,))
        return
    await runner.run(
        S.GRANTS, lambda: directory.user_tokens(google, builder), needs=(S.APPS, S.USERS)
    )


def _count(value: int) -> Callable[[], Awaitable[int]]:
    async def work() -> int:
        return value

    return work
