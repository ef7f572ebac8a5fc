"""One-click unsubscribe (RFC 8058): POST unsubscribes, GET shows a confirmation form.

GET never changes anything, because mail scanners prefetch links; mail clients that honour
``List-Unsubscribe-Post`` POST directly. The token in the link is the only credential.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from markupsafe import escape

from failsafe.db.actor import SystemActor
from failsafe.notifications.digest import UNSUBSCRIBE_PATH, unsubscribe, user_of_token
from failsafe.runtime import Runtime

router = APIRouter(tags=["notifications"])

_PAGE = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>FailSafe</title>'
    "</head><body>{body}</body></html>"
)


@router.get(UNSUBSCRIBE_PATH, response_class=HTMLResponse, include_in_schema=False)
async def confirm_unsubscribe(token: str = "") -> HTMLResponse:
    """A form that POSTs the same token."""
    body = (
        "<h1>Unsubscribe from the FailSafe weekly digest</h1>"
        f'<form method="post" action="{UNSUBSCRIBE_PATH}?token={escape(token)}">'
        '<button type="submit">Unsubscribe</button></form>'
    )
    return HTMLResponse(_PAGE.format(body=body))


@router.post(UNSUBSCRIBE_PATH, response_class=HTMLResponse, include_in_schema=False)
async def one_click_unsubscribe(request: Request, token: str = "") -> HTMLResponse:
    """Unsubscribe the token's user from the digest."""
    runtime: Runtime = request.app.state.runtime
    user_id = user_of_token(runtime.keyring, token)
    if user_id is None:
        return HTMLResponse(_PAGE.format(body="<p>This link is not valid.</p>"), status_code=400)
    async with runtime.database.transaction(SystemActor("notifications.unsubscribe")) as session:
        await unsubscribe(session, user_id)
    return HTMLResponse(_PAGE.format(body="<p>You will not receive the weekly digest again.</p>"))
