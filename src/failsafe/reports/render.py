"""Render a :class:`~failsafe.reports.view.ReportView` to HTML and to PDF.

Jinja2 with autoescape on and undefined names as errors; WeasyPrint with
:class:`~failsafe.reports.fetcher.AssetFetcher` as its only way to load anything. The partner
logo is handed to the fetcher as an in-memory blob for this render, never as a URL.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

import jinja2
import structlog
from weasyprint import HTML, Document
from weasyprint.text.fonts import FontConfiguration

from failsafe.charts.palette import FAMILY_LABELS, SEVERITY_LABELS
from failsafe.detections.model import Family, Severity
from failsafe.reports import text
from failsafe.reports.context import build_context
from failsafe.reports.fetcher import AssetFetcher, asset_url
from failsafe.reports.findings import appendix_groups
from failsafe.reports.view import ReportView

log = structlog.get_logger(__name__)

_STATE_LABELS = {
    "gaps": "Gaps found",
    "advised": "Improvements advised",
    "no_issues": "No issues found",
    "not_assessed": "Not assessed",
}
_PROVIDERS = {"microsoft": "Microsoft 365", "google": "Google Workspace"}


@dataclass(frozen=True, slots=True)
class RenderedReport:
    """A rendered PDF with its checksum and what the fetcher refused while rendering."""

    pdf: bytes
    sha256: str
    pages: int
    seconds: float
    refused_urls: tuple[str, ...]

    @property
    def size(self) -> int:
        return len(self.pdf)


def _signed(value: int) -> str:
    return f"+{value}" if value > 0 else str(value)


def _day(value: datetime) -> str:
    return value.strftime("%d %B %Y")


def _stamp(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC")


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The report's Jinja environment (templates from the package, autoescape always on)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("failsafe.reports", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        short=text.short,
        cell=text.cell,
        breakable=text.breakable,
        money=text.money,
        severity=lambda s: SEVERITY_LABELS[Severity(s)],
        family=lambda f: FAMILY_LABELS[Family(f)],
        provider=lambda p: _PROVIDERS.get(str(p), text.plain(p)),
        section_name=lambda s: text.plain(s).replace("_", " "),
        control_state=lambda s: _STATE_LABELS[s],
        signed=_signed,
        day=_day,
        stamp=_stamp,
    )
    env.globals.update(
        asset_url=asset_url,
        severities=[s for s in Severity if s is not Severity.INFO] + [Severity.INFO],
        families=Family,
        evidence_items=text.EVIDENCE_ITEMS,
        evidence_value=text.EVIDENCE_VALUE,
        evidence_limit=text.EVIDENCE_LIMIT,
    )
    return env


def render_html(view: ReportView, *, logo_url: str | None = None) -> str:
    """The report as one HTML document (what WeasyPrint lays out)."""
    context = build_context(view, logo_url=logo_url)
    appendix = appendix_groups(context.findings, view.currency)
    return environment().get_template("report.html").render(r=context, appendix=appendix)


def layout(view: ReportView) -> tuple[Document, AssetFetcher]:
    """Lay ``view`` out as pages (and the fetcher used); nothing outside the bundle loads."""
    fetcher = AssetFetcher()
    logo_url = None
    if view.branding is not None and view.branding.logo is not None:
        logo = view.branding.logo
        extension = "png" if logo.media_type == "image/png" else "jpg"
        logo_url = fetcher.register(f"logo.{extension}", logo.media_type, logo.data)
    html = render_html(view, logo_url=logo_url)
    # base_url is deliberately unset: relative URLs cannot resolve to anything.
    document = HTML(string=html, url_fetcher=fetcher).render(font_config=FontConfiguration())
    return document, fetcher


def render_pdf(view: ReportView) -> RenderedReport:
    """Render ``view`` to PDF bytes; nothing outside the bundled assets is ever loaded."""
    started = time.perf_counter()
    document, fetcher = layout(view)
    pdf = document.write_pdf()
    assert isinstance(pdf, bytes)

    seconds = time.perf_counter() - started
    digest = hashlib.sha256(pdf).hexdigest()
    log.info(
        "report.rendered",
        scan_id=str(view.scan_id),
        engagement_id=str(view.engagement_id),
        findings=len(view.findings),
        bytes=len(pdf),
        pages=len(document.pages),
        seconds=round(seconds, 3),
        refused=len(fetcher.refused),
    )
    return RenderedReport(pdf, digest, len(document.pages), seconds, tuple(fetcher.refused))
