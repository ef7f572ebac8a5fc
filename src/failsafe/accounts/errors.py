"""The auth-specific refinements of :mod:`failsafe.errors` (each with its own stable code)."""

from __future__ import annotations

from failsafe.errors import Forbidden, NotAuthenticated, ValidationFailed


class InvalidCredentials(NotAuthenticated):
    code = "invalid_credentials"


class MfaRequired(Forbidden):
    """Signed in with a password; the second factor is still owed."""

    code = "mfa_required"


class MfaEnrolmentRequired(Forbidden):
    """Partners and admins must enrol MFA before anything else."""

    code = "mfa_enrolment_required"


class CsrfRejected(Forbidden):
    code = "csrf_failed"


class ReadOnlyToken(Forbidden):
    code = "token_read_only"


class WeakPassword(ValidationFailed):
    code = "weak_password"


class InvalidToken(ValidationFailed):
    """An emailed token that is unknown, used or expired (one answer for all three)."""

    code = "invalid_token"


class WrongPassword(Forbidden):
    """Re-authentication (current password) failed for a signed-in user."""

    code = "wrong_password"
