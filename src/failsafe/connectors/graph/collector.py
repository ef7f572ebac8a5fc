"""The Microsoft Graph collection: every section, concurrently where they are independent."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

from failsafe.connectors.errors import CollectionError
from failsafe.connectors.graph import activity, apps, directory, policies
from failsafe.connectors.graph.client import GraphClient
from failsafe.connectors.graph.mail import MailReader
from failsafe.connectors.plan import CollectionPlan
from failsafe.connectors.sections import SectionRunner, run_all
from failsafe.inventory.builder import InventoryBuilder
from failsafe.inventory.model import Section

S = Section

WEIGHTS = {
    S.ORGANIZATION: 1,
    S.USERS: 10,
    S.SIGN_IN_ACTIVITY: 1,
    S.LICENSES: 2,
    S.MFA: 5,
    S.ADMIN_ROLES: 2,
    S.APPS: 5,
    S.GRANTS: 5,
    S.APP_USAGE: 10,
    S.CONSENT_POLICY: 1,
    S.CONDITIONAL_ACCESS: 1,
    S.EMAIL_SIGNALS: 40,
}


async def collect(
    graph: GraphClient,
    builder: InventoryBuilder,
    runner: SectionRunner,
    plan: CollectionPlan,
    own_app_id: str,
) -> None:
    """Fill ``builder`` from one tenant; each section ends collected or not assessed.

    Everything starts at once; only apps (tenant id) and mail (verified domains) wait for the
    organization, so the critical path is as short as the paging allows.
    """
    workers = graph.http.options.concurrency
    org_done = asyncio.Event()
    mail = None
    if plan.mail_since is not None:
        mail = MailReader(graph, builder, plan.mail_since, plan.started_at, workers)
    index = apps.AppIndex()
    chains: list[Awaitable[object]] = [
        _organization(graph, builder, runner, org_done),
        _users_chain(graph, builder, runner, mail),
        runner.run(S.MFA, lambda: directory.mfa_registration(graph, builder)),
        runner.run(S.ADMIN_ROLES, lambda: directory.admin_roles(graph, builder, 2)),
        _apps_chain(graph, builder, runner, index, own_app_id, org_done),
        runner.run(S.APP_USAGE, lambda: activity.sign_ins(graph, builder, plan.started_at)),
        runner.run(S.CONSENT_POLICY, lambda: policies.consent_policy(graph, builder)),
        runner.run(S.CONDITIONAL_ACCESS, lambda: policies.conditional_access(graph, builder)),
    ]
    if mail is not None:
        chains.append(_mail_chain(runner, mail, org_done))
    else:
        builder.not_assessed(S.EMAIL_SIGNALS, "mail metadata is turned off for this connection")
    await run_all(*chains)


async def _organization(
    graph: GraphClient, builder: InventoryBuilder, runner: SectionRunner, done: asyncio.Event
) -> None:
    try:
        await runner.run(S.ORGANIZATION, lambda: directory.organization(graph, builder))
    finally:
        done.set()


async def _mail_chain(runner: SectionRunner, mail: MailReader, org_done: asyncio.Event) -> None:
    await org_done.wait()  # mail from the tenant's own domains is never a vendor
    if not runner.builder.is_collected(S.ORGANIZATION):
        await mail.pump.abandon(CollectionError("the organization could not be read"))
    await runner.run(S.EMAIL_SIGNALS, lambda: _mail(mail), needs=(S.ORGANIZATION,))


async def _users_chain(
    graph: GraphClient, builder: InventoryBuilder, runner: SectionRunner, mail: MailReader | None
) -> None:
    sign_in_gap: list[str | None] = [None]

    async def read_users() -> int:
        count, gap = await directory.users(graph, builder, mail.feed if mail else None)
        sign_in_gap[0] = gap
        return count

    skus = asyncio.ensure_future(_skus(graph, builder))
    try:
        collected = await runner.run(S.USERS, read_users)
    finally:
        if mail is not None:
            if builder.is_collected(S.USERS):
                await mail.pump.close()
            else:
                await mail.pump.abandon(CollectionError("the user list could not be read"))
    if collected and sign_in_gap[0] is None:
        builder.collected(S.SIGN_IN_ACTIVITY, len(builder.users))
    else:
        builder.not_assessed(S.SIGN_IN_ACTIVITY, sign_in_gap[0] or "users were not read")
    # SKUs were read beside the users; the licence section needs both.
    await runner.run(S.LICENSES, lambda: _awaited_count(skus), needs=(S.USERS,))


async def _skus(graph: GraphClient, builder: InventoryBuilder) -> int:
    return await directory.subscribed_skus(graph, builder)


async def _awaited_count(task: asyncio.Future[int]) -> int:
    return await task


async def _apps_chain(
    graph: GraphClient,
    builder: InventoryBuilder,
    runner: SectionRunner,
    index: apps.AppIndex,
    own_app_id: str,
    org_done: asyncio.Event,
) -> None:
    await org_done.wait()  # first-party and multi-tenant are judged against the tenant id
    await runner.run(
        S.APPS,
        lambda: apps.service_principals(graph, builder, index, own_app_id),
        needs=(S.ORGANIZATION,),
    )

    async def grants() -> int:
        delegated = await apps.delegated_grants(graph, builder, index)
        return delegated + await apps.application_grants(graph, builder, index, 2)

    await runner.run(S.GRANTS, grants, needs=(S.APPS,))


async def _mail(mail: MailReader) -> int:
    return await mail.run()
