"""Response and request shapes shared by the API routers."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field


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
