"""What goes out (a vendor's name and domain) and what may come back (a validated label)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from failsafe.catalog.domains import normalise_host

_DOMAIN = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)+$")
# What an answer must not carry: links, markup, or text addressed to a reader or a model.
_URL = re.compile(r"(https?:|www\.|[a-z0-9-]+\.(com|io|ai|net|org|app|co)\b|//)", re.I)
_HTML = re.compile(r"[<>]|&[a-z]+;|javascript:", re.I)
_INSTRUCTION = re.compile(
    r"\b(ignore|disregard|instruction|system prompt|prompt|assistant|you must|sanction|"
    r"approve|allow-?list|classify every|all vendors|override)\w*",
    re.I,
)


class VendorQuery(BaseModel):
    """A vendor to classify: public name and registrable domain, nothing about the tenant."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    domain: str

    @field_validator("domain")
    @classmethod
    def _domain(cls, value: str) -> str:
        value = normalise_host(value)
        if not _DOMAIN.match(value):
            raise ValueError("not a domain")
        return value

    @property
    def key(self) -> str:
        return self.domain


class Classification(BaseModel):
    """A vendor's label. ``source`` says whether the model or the heuristic produced it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    category: str
    risk: Literal["H", "M", "L"]
    summary: str = Field(default="", max_length=160)
    source: Literal["ai", "heuristic"] = "ai"
    model: str | None = None

    @field_validator("summary")
    @classmethod
    def _plain(cls, value: str) -> str:
        value = " ".join(value.split())
        for pattern, what in ((_URL, "a URL"), (_HTML, "markup"), (_INSTRUCTION, "instructions")):
            if pattern.search(value):
                raise ValueError(f"summary contains {what}")
        return value


UNCLASSIFIED = "unclassified"


def unclassified() -> Classification:
    """The heuristic label when the model is off or its answer was refused."""
    return Classification(category=UNCLASSIFIED, risk="M", summary="", source="heuristic")
