"""URL canonicalization: one spelling per fetchable article, so feeds and pages dedupe on it."""

from __future__ import annotations

import re
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

from w3lib.url import canonicalize_url as _w3lib_canonicalize

from schemas.reference import word_lists

# Generous: the farm serves a 10,000-char article URL that must stay valid; 16 KiB still bounds
# what a hostile feed can make us store and send (most servers stop at 8 KiB anyway).
MAX_URL_LENGTH = 16_384

# Query parameters that only track the click; the page is the same without them (tracking_params.tsv).
_TRACKING = word_lists("tracking_params.tsv")
TRACKING_PARAMS = frozenset(_TRACKING["param"])
TRACKING_PREFIXES = tuple(_TRACKING["prefix"])

_DEFAULT_PORTS = {"http": 80, "https": 443}
_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
# RFC 3986 query characters; everything else (spaces, non-ASCII) gets percent-encoded.
_QUERY_SAFE = "!$&'()*+,;=:@/?%-._~"


def canonicalize_url(url: str, base: str | None = None) -> str:
    """Return the canonical http(s) form of `url` (resolved against `base`), or raise ValueError.

    Lowercases scheme and host, drops default port, userinfo, fragment and tracking
    parameters, resolves dot segments and normalises percent-encoding; the remaining query
    parameters keep their order (some servers care), unlike w3lib's canonicalize_url.
    """
    text = url.strip()
    if base:
        text = urljoin(base.strip(), text)
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise ValueError(f"unsupported scheme {scheme or '(none)'}, only http(s) is fetched")
    if not parts.hostname:
        raise ValueError("URL has no host")
    try:
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"invalid port: {exc}") from None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    # w3lib does IDNA, percent-encoding, case and dot segments; the query is done here to keep its order.
    result = _w3lib_canonicalize(urlunsplit((scheme, netloc, parts.path, "", "")))
    query = _clean_query(parts.query)
    if query:
        result += "?" + query
    if len(result) > MAX_URL_LENGTH:
        raise ValueError(f"URL longer than {MAX_URL_LENGTH} characters ({len(result)})")
    return result


def _clean_query(query: str) -> str:
    """Drop tracking and empty parameters, keep the rest in order with normalised escapes."""
    kept = [p for p in query.split("&") if p and not _is_tracking(p.split("=", 1)[0])]
    return _PERCENT.sub(_normalise_escape, quote("&".join(kept), safe=_QUERY_SAFE))


def _is_tracking(name: str) -> bool:
    name = name.lower()
    return name in TRACKING_PARAMS or name.startswith(TRACKING_PREFIXES)


def _normalise_escape(match: re.Match[str]) -> str:
    """%41 -> A (unreserved characters need no escape), %2f -> %2F (RFC 3986 6.2.2.1)."""
    char = chr(int(match.group()[1:], 16))
    return char if char in _UNRESERVED else match.group().upper()
