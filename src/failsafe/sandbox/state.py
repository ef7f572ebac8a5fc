"""Everything one running sandbox holds: its tenants, credentials, tokens, faults and log.

Access tokens are self-describing and HMAC-signed with a per-sandbox secret (like Entra's JWTs
carry ``roles``), so no token table grows during a scan. ``expire_tokens()`` and ``advance()``
make token expiry deterministic for tests: no sleeping.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from failsafe.sandbox.faults import FaultPlan
from failsafe.sandbox.graph_model import failsafe_app_id
from failsafe.sandbox.log import RequestLog
from failsafe.sandbox.spec import TenantSpec, company, digest

VERIFIED_CACHE = 1_024  # distinct tokens remembered (a scan uses a handful)


@dataclass(frozen=True)
class ServiceAccount:
    """The Google service account FailSafe uses, with domain-wide delegation."""

    client_email: str
    client_id: str
    private_key_id: str
    private_key_pem: str
    public_key_pem: str

    def key_file(self, token_uri: str) -> dict[str, str]:
        """The JSON key file Google would let an admin download."""
        return {
            "type": "service_account",
            "project_id": "failsafe-sandbox",
            "private_key_id": self.private_key_id,
            "private_key": self.private_key_pem,
            "client_email": self.client_email,
            "client_id": self.client_id,
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": token_uri,
        }


def new_service_account() -> ServiceAccount:
    """A fresh RSA key pair (never leaves the machine; regenerated per sandbox)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return ServiceAccount(
        client_email="failsafe-scanner@failsafe-sandbox.iam.gserviceaccount.com",
        client_id="1157" + f"{secrets.randbelow(10**17):017d}",
        private_key_id=secrets.token_hex(20),
        private_key_pem=private,
        public_key_pem=public,
    )


def client_secret(spec: TenantSpec) -> str:
    """The demo client secret of FailSafe's registration (deterministic so the CLI can print
    it). Like a real multi-tenant app it is one secret for every consenting tenant, so it is
    derived from the sandbox's first spec only."""
    return f"sbx~{digest(spec.seed, 'secret'):016x}{digest(spec.seed, 'secret2'):016x}"


@dataclass
class SandboxState:
    """Shared by every request of one sandbox."""

    specs: list[TenantSpec]
    token_lifetime: int = 3599
    latency_ms: int = 0
    faults: FaultPlan = field(default_factory=FaultPlan)
    log: RequestLog = field(default_factory=RequestLog)
    service_account: ServiceAccount = field(default_factory=new_service_account)
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    mail_content_requests: list[str] = field(default_factory=list)  # who selected subject/body
    _offset: float = 0.0
    _not_before: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    # Tokens whose signature checked out; every $batch item re-presents the outer token, and
    # re-verifying it cost the simulator more CPU than answering the item.
    _verified: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)

    # -- clock and expiry -------------------------------------------------------------------

    def now(self) -> float:
        """The sandbox clock (wall time plus any advance)."""
        return time.time() + self._offset

    def advance(self, seconds: float) -> None:
        """Move the sandbox clock forward (tokens expire without waiting)."""
        with self._lock:
            self._offset += seconds

    def expire_tokens(self) -> None:
        """Every token issued so far is now expired (the next use answers 401)."""
        with self._lock:
            self._not_before = self.now() + 0.000001

    # -- tenants ----------------------------------------------------------------------------

    @property
    def client_id(self) -> str:
        """FailSafe's app (client) id."""
        return failsafe_app_id()

    @property
    def client_secret(self) -> str:
        """FailSafe's demo client secret."""
        return client_secret(self.specs[0])

    def microsoft_tenant(self, key: str) -> TenantSpec | None:
        """A tenant by GUID or verified domain (the token URL accepts both)."""
        key = key.lower()
        for spec in self.specs:
            org = company(spec)
            if key in (org.tenant_id, org.domain, org.initial_domain):
                return spec
        return None

    def by_tenant_id(self, tenant_id: str) -> TenantSpec | None:
        """A Microsoft tenant by GUID."""
        return next((s for s in self.specs if company(s).tenant_id == tenant_id), None)

    def google_customer(self, domain: str) -> TenantSpec | None:
        """A Google customer by primary domain."""
        return next((s for s in self.specs if company(s).domain == domain.lower()), None)

    def by_customer_id(self, customer_id: str) -> TenantSpec | None:
        """A Google customer by customer id."""
        return next((s for s in self.specs if company(s).customer_id == customer_id), None)

    # -- tokens -----------------------------------------------------------------------------

    def issue(self, prefix: str, claims: dict[str, Any]) -> str:
        """A signed access token carrying ``claims``."""
        now = self.now()
        body = dict(claims, iat=now, exp=now + self.token_lifetime, jti=secrets.token_hex(6))
        data = base64.urlsafe_b64encode(json.dumps(body).encode()).decode().rstrip("=")
        sig = hmac.new(self.secret, data.encode(), hashlib.sha256).hexdigest()[:32]
        return f"{prefix}.{data}.{sig}"

    def verify(self, prefix: str, token: str) -> dict[str, Any] | None:
        """The claims of a valid, unexpired token, or None."""
        claims = self._verified.get((prefix, token))
        if claims is None:
            claims = self._signed_claims(prefix, token)
            if claims is None:
                return None
            if len(self._verified) >= VERIFIED_CACHE:
                self._verified.clear()
            self._verified[(prefix, token)] = claims
        # Expiry is judged on every use: the cache only saves the signature check and decoding.
        if claims["exp"] <= self.now() or claims["iat"] < self._not_before:
            return None
        return claims

    def _signed_claims(self, prefix: str, token: str) -> dict[str, Any] | None:
        head, _, rest = token.partition(".")
        data, _, sig = rest.rpartition(".")
        if head != prefix or not data:
            return None
        good = hmac.new(self.secret, data.encode(), hashlib.sha256).hexdigest()[:32]
        if not hmac.compare_digest(good, sig):
            return None
        try:
            claims: dict[str, Any] = json.loads(
                base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
            )
        except ValueError:
            return None
        return claims
