"""``failsafe site build --out DIR``: the static marketing site, as plain files for any host.

Pages are Jinja2 templates under ``site/pages`` (autoescape on) extending ``site/base.html``;
``site/static`` is copied as-is. Every page carries the CSP as a meta tag, and ``_headers``
(Netlify's format) sets it again with what a meta tag cannot carry (frame-ancestors, HSTS).
There is no JavaScript in the output at all.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import structlog
import typer
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from rich.console import Console

from failsafe.cli.errors import cli_command

log = structlog.get_logger(__name__)
console = Console()

# The repository's site/ folder (the CLI runs from a checkout or the image built from one).
DEFAULT_SOURCE = Path(__file__).resolve().parents[3] / "site"
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; font-src 'self'; "
    "base-uri 'none'; form-action 'none'"
)
# frame-ancestors is ignored in a meta tag, so the header file adds it.
HEADERS = f"""/*
  Content-Security-Policy: {CSP}; frame-ancestors 'none'
  Strict-Transport-Security: max-age=63072000; includeSubDomains
  X-Content-Type-Options: nosniff
  X-Frame-Options: DENY
  Referrer-Policy: strict-origin-when-cross-origin
  Permissions-Policy: camera=(), microphone=(), geolocation=()
  Cross-Origin-Opener-Policy: same-origin
"""

site_app = typer.Typer(help="The static marketing site.", no_args_is_help=True)


def build_site(source: Path, out: Path, *, portal_url: str) -> list[Path]:
    """Render every page of ``source`` into ``out``; returns the files written."""
    env = Environment(
        loader=FileSystemLoader(source),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for page in sorted((source / "pages").glob("*.html")):
        current = "/" if page.name == "index.html" else f"/{page.name}"
        html = env.get_template(f"pages/{page.name}").render(
            csp=CSP, current=current, portal_url=portal_url.rstrip("/")
        )
        target = out / page.name
        target.write_text(html, encoding="utf-8")
        written.append(target)
    static = out / "static"
    if static.exists():
        shutil.rmtree(static)
    shutil.copytree(source / "static", static)
    written.extend(sorted(p for p in static.rglob("*") if p.is_file()))
    headers = out / "_headers"
    headers.write_text(HEADERS, encoding="utf-8")
    written.append(headers)
    return written


@site_app.command("build")
@cli_command
def build(
    out: Path = typer.Option(..., "--out", help="Directory to write the site into."),
    source: Path = typer.Option(DEFAULT_SOURCE, help="The site sources (site/ of the repo)."),
    portal_url: str = typer.Option(
        "https://portal.optiflowlabs.ai", help="Where the Sign in and Sign up links point."
    ),
) -> None:
    """Build the marketing site into plain files (HTML, CSS, _headers)."""
    written = build_site(source, out, portal_url=portal_url)
    log.info("site.built", files=len(written))
    console.print(f"wrote {len(written)} files to {out}")


def register(app: typer.Typer) -> None:
    app.add_typer(site_app, name="site")
