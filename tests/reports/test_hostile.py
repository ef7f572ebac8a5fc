"""Tenant-controlled text is text: it fetches nothing, shows its tricks, keeps the layout."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

import pytest
from weasyprint import Document

from failsafe.detections.model import Family, Severity
from failsafe.reports.render import layout, render_html, render_pdf
from failsafe.reports.view import (
    Branding,
    SectionCoverage,
    ShadowItVendor,
    TenantScope,
    ThirdPartyApp,
)
from tests.reports.conftest import known_finding, known_view
from tests.reports.helpers import RequestLog, box_overflow, counting_server, page_count, pdf_text

LONG = "A" * 10_000
RLO = "invoice\u202egnp.exe"
ZERO_WIDTH = "pay\u200bpal\u200d"


def _payloads(base: str) -> list[str]:
    return [
        f'<img src="{base}/img.png">',
        f'<link rel="stylesheet" href="{base}/link.css">',
        f"<style>@import url({base}/import.css); body {{ background: url({base}/bg.png) }}</style>",
        f'<div style="background-image: url({base}/inline.png)">x</div>',
        f"url({base}/bare-url.png)",
        f'<svg><image href="{base}/svg.png"/></svg>',
        f'<iframe src="{base}/frame"></iframe><object data="{base}/obj"></object>',
        f'"><img src=x onerror=alert(1)><a href="{base}/link">click</a>',
        '<img src="file:///etc/passwd">',
    ]


@dataclass
class Hostile:
    pdf: bytes
    refused: tuple[str, ...]
    document: Document
    server: RequestLog
    html: str


@pytest.fixture(scope="module")
def hostile() -> Iterator[Hostile]:
    with counting_server() as server:
        base = f"http://127.0.0.1:{server.port}"
        payloads = _payloads(base)
        evil = " ".join(payloads)
        findings = [
            known_finding(
                "AP-001", Family.APP_PERMISSIONS, Severity.CRITICAL, f"app-{i}",
                title=f"{payload} holds Mail.Read",
                evidence={"app_name": payload, payload: [payload, RLO], "long": LONG},
            )
            for i, payload in enumerate(payloads)
        ]  # fmt: skip
        findings.append(
            known_finding("SH-001", Family.SHADOW_IT, Severity.MEDIUM, LONG, title=LONG)
        )
        findings.append(
            known_finding("ID-001", Family.IDENTITY, Severity.CRITICAL, RLO, title=ZERO_WIDTH)
        )
        view = known_view(
            client_name=evil,
            engagement_name=LONG,
            branding=Branding(evil),
            tenants=(
                TenantScope(
                    "microsoft", LONG, evil, (SectionCoverage("users", "not_assessed", 0, evil),)
                ),
            ),
            findings=tuple(findings),
            shadow_it=tuple(
                ShadowItVendor(p, LONG, p, p, 1, (p,), False) for p in [*payloads, LONG, RLO]
            ),
            apps=tuple(
                ThirdPartyApp(p, p, p, None, p, (p, LONG), (p,), 1, True)
                for p in [*payloads, LONG, ZERO_WIDTH]
            ),
        )
        document, fetcher = layout(view)
        pdf = document.write_pdf()
        html = render_html(view)
        yield Hostile(pdf, tuple(fetcher.refused), document, server, html)


def test_no_request_reaches_the_local_server(hostile: Hostile) -> None:
    assert hostile.server.paths == []
    # Everything was escaped, so WeasyPrint never even asked the fetcher for those URLs.
    assert hostile.refused == ()


def test_markup_renders_as_text(hostile: Hostile) -> None:
    html = hostile.html
    text = re.sub(r"\s+", " ", pdf_text(hostile.pdf)).replace("\u200b", "")
    assert '<img src="http://127.0.0.1' in text
    assert "<style>@import url(" in text
    assert "<img src=x onerror" not in html and "<iframe" not in html
    assert "&lt;img src=&#34;http://127.0.0.1" in html


def test_bidi_override_and_zero_width_are_visible(hostile: Hostile) -> None:
    html = hostile.html
    text = pdf_text(hostile.pdf)
    assert "invoice[U+202E]gnp.exe" in text
    assert "pay[U+200B]pal[U+200D]" in text
    assert "\u202e" not in html and "\u200b" not in html


def test_long_strings_are_truncated_in_tables_and_whole_in_appendix(hostile: Hostile) -> None:
    html = hostile.html.replace("<wbr>", "")
    assert "A" * 79 + "\u2026" in html  # table cells
    appendix = html[html.index('id="appendix"') :]
    assert LONG in appendix
    text = pdf_text(hostile.pdf)
    assert text[text.index("Appendix: all findings") :].count("A") >= 10_000


def test_layout_holds(hostile: Hostile) -> None:
    assert box_overflow(hostile.document) == []
    # Eleven findings and a few tables: long values wrap, they do not make hundreds of pages.
    assert page_count(hostile.pdf) < 60


def test_the_overflow_check_catches_unwrapped_text() -> None:
    """The layout check is meaningful: an unbreakable string without the report CSS overflows."""
    from weasyprint import HTML

    from failsafe.reports.fetcher import AssetFetcher

    document = HTML(string=f"<p>{LONG[:400]}</p>", url_fetcher=AssetFetcher()).render()
    assert box_overflow(document) != []


def test_hostile_logo_bytes_are_refused() -> None:
    from failsafe.errors import ValidationFailed
    from failsafe.reports.branding import logo

    with pytest.raises(ValidationFailed):
        logo(b'<svg xmlns="http://www.w3.org/2000/svg"><image href="http://127.0.0.1/"/></svg>')
    with pytest.raises(ValidationFailed):
        logo(b"\x89PNG\r\n\x1a\n" + b"0" * 600_000)


def test_partner_logo_is_served_from_memory_only() -> None:
    from failsafe.reports.branding import logo

    png = _tiny_png()
    view = known_view(branding=Branding("Northwind MSP", logo(png)))
    with counting_server() as server:
        rendered = render_pdf(view)
    assert server.paths == [] and rendered.refused_urls == ()
    assert b"/Subtype /Image" in rendered.pdf or b"/Image" in rendered.pdf


def _tiny_png() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00\xff\x00\x00" * 2)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def test_replace_keeps_view_frozen() -> None:
    view = known_view()
    assert replace(view, score=1).score == 1 and view.score == 64
