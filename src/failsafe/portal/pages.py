"""The route class of every portal page: errors become pages, not JSON.

The shared deps raise the same errors for the API and the portal. For a browser, "sign in
required" is a redirect to the sign-in page, "MFA owed" a redirect to the MFA step or
enrolment, and every other expected error an HTML page with the same status (a 404 for what
the actor may not see looks exactly like a 404 for what does not exist).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import quote

import structlog
from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRoute

from failsafe.accounts.errors import MfaEnrolmentRequired, MfaRequired
from failsafe.errors import FailSafeError, NotAuthenticated
from failsafe.portal.templating import render

log = structlog.get_logger(__name__)

_TITLES = {
    400: "That request could not be handled",
    403: "Not allowed",
    404: "Not found",
    409: "Already done",
    422: "Please check the form",
    429: "Too many attempts",
}


def error_page(request: Request, status: int, detail: str) -> Response:
    """The HTML error page (never a stack trace, never another tenant's identifiers)."""
    title = _TITLES.get(status, "Something went wrong")
    return render(request, "errors/error.html", status=status, title=title, detail=detail)


def _redirect(path: str) -> Response:
    return RedirectResponse(path, status_code=303)


class PageRoute(APIRoute):
    """An APIRoute whose expected errors render as portal pages or redirects."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except NotAuthenticated:
                target = quote(request.url.path, safe="/")
                return _redirect(f"/signin?next={target}")
            except MfaRequired:
                return _redirect("/mfa")
            except MfaEnrolmentRequired:
                return _redirect("/mfa/enrol")
            except FailSafeError as exc:
                if exc.status >= 500:
                    log.error("portal.error", code=exc.code, path=request.url.path)
                    return error_page(request, exc.status, "Please try again later.")
                return error_page(request, exc.status, exc.detail)
            except RequestValidationError:
                return error_page(request, 422, "Some fields are missing or invalid.")

        return page_handler


def page_router(**kwargs: object) -> APIRouter:
    """A router for pages: the page route class, and no OpenAPI entries (the API has those)."""
    return APIRouter(route_class=PageRoute, include_in_schema=False, **kwargs)  # type: ignore[arg-type]
