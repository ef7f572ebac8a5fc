"""Response and request shapes shared by the API routers."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field, model_validator


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(item) for item in value)
    return False


class In(BaseModel):
    """Base of every request body: PostgreSQL text cannot hold NUL, so refuse it up front."""

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        if _has_nul(data):
            raise ValueError("text must not contain NUL characters")
        return data


class ErrorOut(BaseModel):
    """Every error answer: a stable code and a human message."""

    error: str
    detail: str


class OkOut(BaseModel):
    status: str = "ok"


# Declared on every router so the OpenAPI schema documents the error shape.
ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": ErrorOut} for code in (400, 401, 403, 404, 409, 413, 422, 429)
}


# Deliverability is checked by the verification email, not by the parser: reserved test domains
# (the demo's *.test users) must still be accepted.
Email = Annotated[str, Field(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
