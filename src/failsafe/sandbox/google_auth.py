"""Google's OAuth token endpoint for service accounts (JWT bearer) and access-token checks."""

from __future__ import annotations

from urllib.parse import parse_qsl

from google.auth import exceptions as google_exceptions
from google.auth import jwt

from failsafe.sandbox.people import index_of_email, person
from failsafe.sandbox.spec import TenantSpec, company
from failsafe.sandbox.state import SandboxState
from failsafe.sandbox.wire import Reply, Req, google_unauthenticated, oauth_error, ok

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
TOKEN_PREFIX = "ya29"
MAX_ASSERTION_LIFETIME = 3600
UNAUTHORIZED = (
    "Client is unauthorized to retrieve access tokens using this method, or client not "
    "authorized for any of the scopes requested."
)


def token(state: SandboxState, req: Req, audience: str) -> Reply:
    """``POST /token``: verify the RS256 assertion, the subject and the delegated scopes."""
    form = dict(parse_qsl(req.body.decode("utf-8", "replace")))
    if form.get("grant_type") != JWT_BEARER:
        return oauth_error(400, "unsupported_grant_type", "Invalid grant_type.")
    account = state.service_account
    try:
        claims = jwt.decode(  # type: ignore[no-untyped-call]
            form.get("assertion", ""),
            certs=account.public_key_pem,
            audience=audience,
            clock_skew_in_seconds=10,
        )
    except (google_exceptions.GoogleAuthError, ValueError) as exc:
        return oauth_error(400, "invalid_grant", f"Invalid JWT Signature. ({type(exc).__name__})")
    if claims.get("iss") != account.client_email:
        return oauth_error(400, "invalid_grant", "Invalid JWT: issuer is not a known account.")
    if int(claims.get("exp", 0)) - int(claims.get("iat", 0)) > MAX_ASSERTION_LIFETIME:
        return oauth_error(
            400,
            "invalid_grant",
            "Invalid JWT: Token must be a short-lived token (60 minutes) and in "
            "a reasonable timeframe.",
        )
    subject = str(claims.get("sub") or "")
    spec = state.google_customer(subject.rpartition("@")[2]) if subject else None
    if spec is None:
        return oauth_error(401, "unauthorized_client", UNAUTHORIZED)
    index = index_of_email(spec, "google", subject)
    if index is None or not person(spec, "google", index).enabled:
        return oauth_error(400, "invalid_grant", "Invalid email or User ID")
    scopes = str(claims.get("scope") or "").split()
    if not scopes or not set(scopes) <= set(spec.google_scopes):
        return oauth_error(401, "unauthorized_client", UNAUTHORIZED)
    access = state.issue(
        TOKEN_PREFIX,
        {"cust": company(spec).customer_id, "sub": subject, "idx": index, "scopes": scopes},
    )
    return ok({"access_token": access, "expires_in": state.token_lifetime, "token_type": "Bearer"})


class GoogleCaller:
    """Who a request comes from: customer, impersonated user and granted scopes."""

    def __init__(self, spec: TenantSpec, subject: str, index: int, scopes: frozenset[str]):
        self.spec = spec
        self.subject = subject
        self.index = index
        self.scopes = scopes

    def has(self, *names: str) -> bool:
        """Whether any of the scopes (short or full names) was granted."""
        prefix = "https://www.googleapis.com/auth/"
        return any((prefix + n if "://" not in n else n) in self.scopes for n in names)

    @property
    def is_admin(self) -> bool:
        """Whether the impersonated user holds an admin role."""
        return person(self.spec, "google", self.index).role is not None


def authenticate(state: SandboxState, req: Req) -> GoogleCaller | Reply:
    """The caller of a Google request's bearer token, or a 401 reply."""
    header = req.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer":
        return google_unauthenticated()
    claims = state.verify(TOKEN_PREFIX, value.strip())
    if claims is None:
        return google_unauthenticated()
    spec = state.by_customer_id(str(claims["cust"]))
    if spec is None:
        return google_unauthenticated()
    return GoogleCaller(spec, str(claims["sub"]), int(claims["idx"]), frozenset(claims["scopes"]))
