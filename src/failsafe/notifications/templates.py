"""Email templates: a subject, a text body and an HTML body per template, rendered by Jinja2.

Templates live in ``templates/<name>.{subject.txt,txt,html}``. HTML is autoescaped; the text and
subject templates are not (they are never interpreted as markup). Undefined variables are an
error, so a caller that forgets a value fails in its own transaction instead of sending a
broken email later.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import jinja2

TEMPLATES = frozenset(
    {
        # accounts
        "verify_email",
        "reset_password",
        "invite",
        "account_exists",
        # product
        "scan_complete",
        "account_changed",
        "account_deletion_scheduled",
        "billing_notice",
        "subscription_cancelled",
        # digest stream
        "weekly_digest",
    }
)


class UnknownTemplate(ValueError):
    """No template of that name."""


@dataclass(frozen=True, slots=True)
class RenderedEmail:
    """One email ready for a backend."""

    subject: str
    text: str
    html: str


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    # Autoescape by extension: on for .html, off for the text and subject templates.
    return jinja2.Environment(
        loader=jinja2.PackageLoader("failsafe.notifications", "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default=False),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def render(template: str, context: Mapping[str, Any]) -> RenderedEmail:
    """Render ``template`` with ``context``; raises on unknown templates or missing values."""
    if template not in TEMPLATES:
        raise UnknownTemplate(template)
    values = dict(context)
    env = _environment()
    subject = env.get_template(f"{template}.subject.txt").render(values).strip()
    # A header must be one line: a newline in a value would otherwise inject headers.
    subject = " ".join(subject.split())
    return RenderedEmail(
        subject=subject,
        text=env.get_template(f"{template}.txt").render(values),
        html=env.get_template(f"{template}.html").render(values),
    )
