"""The one way the accounts domain sends email: :func:`send_email`.

Messages are queued in the notifications outbox (``failsafe.notifications.outbox.enqueue``) in
the caller's transaction, so they are sent only if the change that caused it commits; the
outbox's configured backend (console by default) delivers them. Should the outbox module be
absent, the fallback is the console: the rendered message is written to standard output
(development only; in production nothing is printed and a warning without content is logged).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from failsafe.settings import get_settings

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Message:
    to: str
    template: str
    subject: str
    body: str


_SUBJECTS = {
    "verify_email": "Confirm your email for FailSafe",
    "reset_password": "Reset your FailSafe password",
    "invite": "You have been invited to FailSafe",
    "account_exists": "You already have a FailSafe account",
}

_BODIES = {
    "verify_email": "Confirm your email address to finish signing up:\n{link}\n"
    "The link expires in {hours} hours.",
    "reset_password": "Someone asked to reset your FailSafe password. If it was you:\n{link}\n"
    "The link expires in {minutes} minutes. If it was not you, ignore this email.",
    "invite": "{inviter} invited you to FailSafe. Choose a password here:\n{link}\n"
    "The link expires in {days} days.",
    "account_exists": "Someone tried to sign up with this address, which already has an "
    "account. Sign in or reset your password at {link}",
}


def render(to: str, template: str, context: Mapping[str, Any]) -> Message:
    """The subject and plain-text body of one templated email."""
    return Message(
        to=to,
        template=template,
        subject=_SUBJECTS[template],
        body=_BODIES[template].format(**context),
    )


def _console(message: Message) -> None:
    sys.stdout.write(
        f"--- email to {message.to}: {message.subject}\n{message.body}\n--- end of email\n"
    )
    sys.stdout.flush()


# Tests replace this to capture what would have been printed.
console_backend: Callable[[Message], None] = _console


def _outbox() -> Any | None:
    try:
        module = importlib.import_module("failsafe.notifications.outbox")
    except ImportError:
        return None
    return getattr(module, "enqueue", None)


def rehearse(template: str, context: Mapping[str, Any]) -> None:
    """Do the rendering work of :func:`send_email` without sending (a timing equaliser)."""
    try:
        module = importlib.import_module("failsafe.notifications.templates")
    except ImportError:
        render("decoy@failsafe.invalid", template, context)
        return
    module.render(template, context)


async def send_email(
    session: AsyncSession, to: str, template: str, context: Mapping[str, Any]
) -> None:
    """Send one templated email: through the outbox when it exists, else the console."""
    enqueue = _outbox()
    if enqueue is not None:
        await enqueue(session, to=to, template=template, context=dict(context))
        return
    message = render(to, template, context)
    if get_settings().is_production:
        # Limitation: without the outbox there is no real delivery; the notifications outbox
        # (in progress) fixes this. Never print tokens in production.
        log.warning("mail.dropped_no_outbox", template=template)
        return
    console_backend(message)
    log.info("mail.console_sent", template=template)
