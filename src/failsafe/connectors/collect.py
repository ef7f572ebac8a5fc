"""Collect one tenant into an inventory: no database involved (the CLI's offline mode uses it)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass

import httpx

from failsafe.connectors.client import build_client
from failsafe.connectors.google import collector as google_collector
from failsafe.connectors.google.auth import GoogleCredentials
from failsafe.connectors.google.client import GoogleClient
from failsafe.connectors.graph import collector as graph_collector
from failsafe.connectors.graph.auth import GraphCredentials, GraphToken
from failsafe.connectors.graph.client import GraphClient
from failsafe.connectors.http import HttpOptions, RequestStats, Sleep, TenantHttp
from failsafe.connectors.plan import CollectionPlan
from failsafe.connectors.sections import (
    Checkpoint,
    Progress,
    SectionRunner,
    no_checkpoint,
    no_progress,
)
from failsafe.inventory.builder import InventoryBuilder
from failsafe.inventory.model import Inventory, Provider
from failsafe.settings import Settings

Credentials = GraphCredentials | GoogleCredentials


@dataclass
class Collected:
    inventory: Inventory
    stats: RequestStats


def http_options(settings: Settings) -> HttpOptions:
    return HttpOptions(
        concurrency=settings.scan_concurrency,
        max_retries=settings.http_max_retries,
        timeout_seconds=settings.http_timeout_seconds,
    )


async def collect_tenant(
    settings: Settings,
    credentials: Credentials,
    plan: CollectionPlan,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    sleep: Sleep = asyncio.sleep,
    checkpoint: Checkpoint = no_checkpoint,
    progress: Progress = no_progress,
    log_fields: Mapping[str, str] | None = None,
) -> Collected:
    """Read every section of one tenant; sections that fail are recorded, not raised."""
    fields = dict(log_fields or {})
    provider: Provider = "microsoft" if isinstance(credentials, GraphCredentials) else "google"
    builder = InventoryBuilder(provider, plan.started_at, plan.email_seed)
    async with build_client(settings, transport) as client:
        http = TenantHttp(client, http_options(settings), sleep=sleep, log_fields=fields)
        if isinstance(credentials, GraphCredentials):
            runner = SectionRunner(builder, graph_collector.WEIGHTS, checkpoint, progress, fields)
            graph = GraphClient(
                http,
                GraphToken(credentials, settings.microsoft_login_base_url),
                settings.graph_base_url,
            )
            await graph_collector.collect(graph, builder, runner, plan, credentials.client_id)
        else:
            runner = SectionRunner(builder, google_collector.WEIGHTS, checkpoint, progress, fields)
            google = GoogleClient(http, credentials, settings)
            await google_collector.collect(google, builder, runner, plan)
    return Collected(builder.build(), http.stats)
