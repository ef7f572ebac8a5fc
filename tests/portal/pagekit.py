"""Helpers for driving portal pages over HTTP: read the CSRF field, post forms."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import httpx
import pyotp

from tests.accounts.fixtures import Outbox
from tests.accounts.helpers import FakeClock

PASSWORD = "a long and unusual passphrase 42"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_SECRET = re.compile(r'id="totp-secret">([A-Z2-7]+)<')


def csrf_of(html: str) -> str:
    """The CSRF token embedded in the first form of a page."""
    found = _CSRF.search(html)
    assert found is not None, "no CSRF field on the page"
    return found.group(1)


async def post_form(
    http: httpx.AsyncClient, page: str, action: str, data: dict[str, str]
) -> httpx.Response:
    """GET ``page`` for its CSRF token, then POST ``data`` to ``action``."""
    shown = await http.get(page)
    assert shown.status_code == 200, shown.text
    return await http.post(action, data={**data, "csrf_token": csrf_of(shown.text)})


async def sign_up_verify(http: httpx.AsyncClient, outbox: Outbox, email: str) -> None:
    """Sign up through the pages and confirm the email from the outbox link."""
    response = await post_form(
        http,
        "/signup",
        "/signup",
        {"email": email, "password": PASSWORD, "name": "Pat Doe", "company": "Acme Dental"},
    )
    assert response.status_code == 200, response.text
    token = outbox.token(email, "verify_email")
    response = await post_form(http, f"/verify?token={token}", "/verify", {"token": token})
    assert response.status_code == 303, response.text


async def sign_in(http: httpx.AsyncClient, email: str, password: str = PASSWORD) -> str:
    """Sign in through the page; returns where the portal sent the browser."""
    response = await post_form(
        http, "/signin", "/signin", {"email": email, "password": password, "next": ""}
    )
    assert response.status_code == 303, response.text
    return response.headers["location"]


async def enrol(http: httpx.AsyncClient, clock: FakeClock) -> str:
    """Enrol TOTP through the pages; returns the secret."""
    page = await http.get("/mfa/enrol")
    started = await http.post("/mfa/enrol/start", data={"csrf_token": csrf_of(page.text)})
    assert started.status_code == 200, started.text
    found = _SECRET.search(started.text)
    assert found is not None
    secret = found.group(1)
    code = pyotp.TOTP(secret).at(clock.now())
    done = await http.post(
        "/mfa/enrol/confirm", data={"code": code, "csrf_token": csrf_of(started.text)}
    )
    assert done.status_code == 200, done.text
    return secret


@dataclass
class Form:
    """One form of a page: where it posts, its fields (hidden and typed) and its buttons."""

    action: str
    fields: dict[str, list[str]] = field(default_factory=dict)
    buttons: list[str] = field(default_factory=list)
    pressed: dict[str, tuple[str, str]] = field(default_factory=dict)  # text -> (name, value)

    def data(self, press: str | None = None) -> dict[str, str | list[str]]:
        """The fields as httpx form data (a repeated name becomes a list), plus the name and
        value of the button ``press``ed, as a browser sends them."""
        data = {
            name: values if len(values) > 1 else values[0] for name, values in self.fields.items()
        }
        if press is not None and press in self.pressed:
            name, value = self.pressed[press]
            data[name] = value
        return data


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._button: list[str] | None = None
        self._button_field: tuple[str, str] | None = None
        self._button_label: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "form":
            self._form = Form(found.get("action") or "")
            self.forms.append(self._form)
        elif tag == "input" and self._form is not None and found.get("name"):
            self._form.fields.setdefault(str(found["name"]), []).append(found.get("value") or "")
        elif tag == "button" and self._form is not None:
            self._button = []
            self._button_label = found.get("aria-label")
            name = found.get("name")
            self._button_field = (name, found.get("value") or "") if name else None

    def handle_data(self, data: str) -> None:
        if self._button is not None:
            self._button.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "button" and self._form is not None and self._button is not None:
            text = self._button_label or "".join(self._button).strip()
            self._form.buttons.append(text)
            if self._button_field is not None:
                self._form.pressed[text] = self._button_field
            self._button = None
        elif tag == "form":
            self._form = None


def forms_of(html: str) -> list[Form]:
    """Every form of a page, in document order."""
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def form_with(html: str, button: str) -> Form:
    """The one form with a button named exactly ``button`` (its aria-label, else its text)."""
    found = [form for form in forms_of(html) if button in form.buttons]
    assert len(found) == 1, (button, [form.buttons for form in forms_of(html)])
    return found[0]
