"""Registrable domains (eTLD+1) from a Public Suffix List snapshot, never fetched.

tldextract ships a snapshot of the Public Suffix List; constructing it with no suffix-list URLs
and no cache directory means it reads only that snapshot and never touches the network.
"""

from __future__ import annotations

from functools import lru_cache

import tldextract

_EXTRACT = tldextract.TLDExtract(
    suffix_list_urls=(),
    cache_dir=None,
    fallback_to_snapshot=True,
    include_psl_private_domains=False,
)


def normalise_host(host: str) -> str:
    """Lower-case, without a trailing dot, port or surrounding whitespace."""
    host = host.strip().lower().rstrip(".")
    if "://" in host:
        host = host.split("://", 1)[1]
    host = host.split("/", 1)[0].split(":", 1)[0]
    return host


@lru_cache(maxsize=65_536)
def registrable_domain(host: str) -> str:
    """The registrable domain of ``host`` (``mail.notion.so`` -> ``notion.so``).

    Falls back to the host itself for names with no known public suffix (``localhost``).
    """
    host = normalise_host(host)
    extracted = _EXTRACT(host)
    if extracted.domain and extracted.suffix:
        return f"{extracted.domain}.{extracted.suffix}"
    return host


def host_and_parents(host: str) -> tuple[str, ...]:
    """``a.b.notion.so`` -> (``a.b.notion.so``, ``b.notion.so``, ``notion.so``).

    Stops at the registrable domain: public suffixes are never candidates.
    """
    host = normalise_host(host)
    floor = registrable_domain(host)
    labels = host.split(".")
    out: list[str] = []
    for start in range(len(labels)):
        candidate = ".".join(labels[start:])
        out.append(candidate)
        if candidate == floor:
            break
    return tuple(out)
