"""The HTTP fetcher: polite, bounded and hostile-server-proof; `fetch` never raises.

Every way a server can hurt a crawler (stalls, drips, endless or compressed-bomb bodies,
redirect games, SSRF redirects and DNS rebinding, Retry-After abuse) ends as a `FetchResult`
with a short `error`, so one bad URL costs at most one deadline per try and never stops a batch.

Requests go through httpcore directly: redirects, decompression and the address guard
(`flows.address_guard`) are ours, and nothing (cookies, proxies from the environment, a
second DNS lookup) happens between our checks and the socket.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import logging
import random
import time
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field

import httpcore
import httpx
from protego import Protego

from flows.address_guard import AddressBook, AddressRefused, GuardedNetwork, LookupFailed, Resolver, check_address, host_address
from schemas.fetch import FetchResult
from schemas.settings import DEFAULTS

log = logging.getLogger(__name__)

_REDIRECTS = {301, 302, 303, 307, 308}
_ROBOTS_MAX_BYTES = 512 * 1024  # RFC 9309: parse at least 500 KiB, ignore the rest
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class FetchPolicy:
    """How hard and how politely to fetch. Durations in seconds, sizes in decoded bytes."""

    user_agent: str = DEFAULTS.user_agent  # the user-facing four come from the one settings object
    concurrency: int = DEFAULTS.concurrency
    per_host: int = DEFAULTS.per_host
    delay_s: float = DEFAULTS.delay  # minimum gap between request starts to one host
    connect_timeout_s: float = 10.0
    read_timeout_s: float = 10.0
    deadline_s: float = 30.0  # one request, headers and body; not retried when it expires
    max_bytes: int = 10_000_000  # pages
    feed_max_bytes: int = 52_428_800  # feed documents: sitemaps.org allows a sitemap 50 MiB uncompressed
    max_redirects: int = 10
    retries: int = 3
    backoff_s: float = 0.5  # first retry gap; doubles each try, plus jitter
    retry_after_cap_s: float = 30.0  # also caps robots.txt Crawl-delay
    respect_robots: bool = True
    allowed_hosts: frozenset[str] | None = None  # None: any public host
    allow_loopback: bool = False  # tests and the demo farm only
    hosts: Mapping[str, str] | None = None  # host name -> "ip:port" to connect to instead (the demo's sample site)


class _Failure(Exception):
    """One failed try: `retry` says whether another try now could go differently, `later` whether a later run could."""

    def __init__(self, reason: str, retry: bool, later: bool | None = None):
        super().__init__(reason)
        self.reason, self.retry, self.later = reason, retry, retry if later is None else later


@dataclass
class _Host:
    """Per-origin state: concurrency, start pacing and the robots.txt verdict."""

    sem: asyncio.Semaphore
    delay: float
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    not_before: float = 0.0
    robots: asyncio.Task | None = None


@dataclass
class _Outcome:
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    error: str | None = None
    attempts: int = 1
    transient: bool = False


@dataclass
class _Request:
    """One `fetch` call: its request headers, body cap, robots choice and time spent queueing."""

    headers: dict[str, str]
    max_bytes: int
    robots: bool
    queued_s: float = 0.0


def check_url_allowed(url: str, policy: FetchPolicy) -> str | None:
    """Why `url` must not be fetched, or None. No I/O: host names are resolved and checked by the fetcher.

    Refuses unparseable URLs, schemes other than http(s), ports outside 1-65535, hosts outside
    `policy.allowed_hosts`, and hosts that denote a refused address (`check_address`), in
    whatever spelling (`[::ffff:10.0.0.1]`, `[64:ff9b::a9fe:a9fe]`, `0x7f.1`, `2130706433`).
    """
    try:
        parsed = httpx.URL(url)
        host = parsed.host  # decodes IDNA
    except (httpx.InvalidURL, ValueError):  # IDNA errors are ValueErrors
        return "invalid url"
    if parsed.scheme not in ("http", "https"):
        return f"unsupported scheme {parsed.scheme or 'none'}"
    if not host:
        return "no host"
    if parsed.port is not None and not 0 < parsed.port < 65536:
        return f"invalid url: port {parsed.port}"
    if policy.allowed_hosts is not None and host not in policy.allowed_hosts:
        return f"host not allowed: {host}"
    try:
        address = host_address(host)
    except ValueError as exc:
        return f"invalid url: {exc}"
    if address is None:
        if any(not 0 < len(label) <= 63 for label in host.removesuffix(".").split(".")):
            return f"invalid url: host {host}"
        return None
    return check_address(address, policy.allow_loopback)


class Fetcher:
    """`async with Fetcher(policy) as f: await f.fetch(url)`; share one across a batch.

    Concurrency is bounded globally and per origin, so callers may gather any number of
    fetches. Each host name is resolved once per fetcher and connected to only at its checked
    addresses. `resolver` (name -> address strings) and `network` (an httpcore network
    backend that gets checked addresses only) stand in for DNS and sockets in tests.
    """

    def __init__(self, policy: FetchPolicy | None = None, *, resolver: Resolver | None = None,
                 network: httpcore.AsyncNetworkBackend | None = None):
        self.policy = policy or FetchPolicy()
        self._addresses = AddressBook(self.policy.allow_loopback, self.policy.hosts, resolver)
        self._network = GuardedNetwork(self._addresses, network)
        self._pool: httpcore.AsyncConnectionPool | None = None
        self._sem = asyncio.Semaphore(self.policy.concurrency)
        self._hosts: dict[tuple, _Host] = {}

    async def __aenter__(self) -> Fetcher:
        p = self.policy
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),  # certifi roots, verified against the URL's host
            max_connections=p.concurrency,
            max_keepalive_connections=p.concurrency,
            keepalive_expiry=5.0,  # seconds, as httpx's default
            network_backend=self._network,
        )
        return self

    async def __aexit__(self, *exc) -> None:
        for host in self._hosts.values():
            if host.robots:
                host.robots.cancel()
        self._addresses.close()
        await self._pool.aclose()

    async def fetch(
        self, url: str, etag: str | None = None, last_modified: str | None = None, respect_robots: bool | None = None,
        max_bytes: int | None = None,
    ) -> FetchResult:
        """GET `url` following redirects; a conditional GET when `etag`/`last_modified` are given.

        `max_bytes` caps the decoded body (default `policy.max_bytes`; feeds pass `policy.feed_max_bytes`).
        """
        started = time.monotonic()
        request = _Request(
            headers={
                "User-Agent": self.policy.user_agent,
                "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
                "Accept-Encoding": "gzip",  # decoded here, under the byte cap
            },
            max_bytes=max_bytes or self.policy.max_bytes,
            robots=self.policy.respect_robots if respect_robots is None else respect_robots,
        )
        if etag:
            request.headers["If-None-Match"] = etag
        if last_modified:
            request.headers["If-Modified-Since"] = last_modified
        current = url
        try:
            current, outcome = await self._follow(url, request)
        except Exception as exc:  # the never-raises promise outlives any bug below
            log.exception("fetch %s failed", url)
            outcome = _Outcome(error=f"internal error: {type(exc).__name__}: {exc}")
        wall_s = time.monotonic() - started
        return FetchResult(
            url=url,
            final_url=current,
            status=outcome.status,
            headers=outcome.headers,
            body=outcome.body if outcome.error is None else None,
            fetched_at=dt.datetime.now(dt.UTC),
            elapsed_ms=(wall_s - request.queued_s) * 1000,
            queued_ms=request.queued_s * 1000,
            attempts=outcome.attempts,
            error=outcome.error,
            transient=outcome.transient,
        )

    async def _follow(self, url: str, request: _Request) -> tuple[str, _Outcome]:
        """Follow redirects by hand, so every hop is guarded, robots-checked and counted."""
        for _ in range(self.policy.max_redirects + 1):
            try:
                refusal = await self._refusal(url, request.robots)
            except LookupFailed as exc:
                return url, _Outcome(error=str(exc), attempts=0, transient=True)
            if refusal:
                return url, _Outcome(error=refusal, attempts=0)
            outcome = await self._with_retries(url, request)
            if outcome.error or outcome.status not in _REDIRECTS:
                return url, outcome
            if "location" not in outcome.headers:
                outcome.error = f"http {outcome.status} without location"
                return url, outcome
            try:
                url = str(httpx.URL(url).join(outcome.headers["location"]))
            except (httpx.InvalidURL, ValueError):  # the server's fault, and it will say the same again
                outcome.error = f"http {outcome.status} with an invalid location"
                return url, outcome
        return url, _Outcome(error="too many redirects")

    async def _refusal(self, url: str, robots: bool) -> str | None:
        """Why this hop may not be requested: bad URL, forbidden address, or robots.txt."""
        refusal = check_url_allowed(url, self.policy)
        if refusal:
            return refusal
        parsed = httpx.URL(url)
        try:  # resolves the name now (once per fetcher), so a refused host costs no robots.txt request
            await self._addresses.targets(parsed.host, parsed.port or _DEFAULT_PORTS[parsed.scheme])
        except LookupFailed:
            raise  # not a refusal: a later run may find the name
        except AddressRefused as exc:
            return str(exc)
        if not robots:
            return None
        parser = await self._robots(parsed)
        if parser and not parser.can_fetch(url, self.policy.user_agent):
            return "robots.txt disallows"
        return None

    def _host(self, url: httpx.URL) -> _Host:
        key = (url.scheme, url.host, url.port)
        if key not in self._hosts:
            self._hosts[key] = _Host(asyncio.Semaphore(self.policy.per_host), self.policy.delay_s)
        return self._hosts[key]

    async def _robots(self, url: httpx.URL) -> Protego | None:
        """The origin's robots.txt, fetched once and shared by every waiting request."""
        host = self._host(url)
        if host.robots is None:
            host.robots = asyncio.ensure_future(self._load_robots(url, host))
        return await asyncio.shield(host.robots)

    async def _load_robots(self, url: httpx.URL, host: _Host) -> Protego | None:
        robots_url = str(httpx.URL(scheme=url.scheme, host=url.host, port=url.port, path="/robots.txt"))
        result = await self.fetch(robots_url, respect_robots=False)
        if not result.ok:
            if not (result.status and 400 <= result.status < 500):  # 4xx means no rules
                log.warning("robots.txt unavailable (%s), allowing all: %s", result.error, robots_url)
            return None
        parser = Protego.parse(result.body[:_ROBOTS_MAX_BYTES].decode("utf-8", "replace"))
        crawl_delay = parser.crawl_delay(self.policy.user_agent)
        if crawl_delay:
            host.delay = max(host.delay, min(float(crawl_delay), self.policy.retry_after_cap_s))
            host.not_before = max(host.not_before, time.monotonic() + host.delay)  # counts from robots.txt too
        return parser

    async def _with_retries(self, url: str, request: _Request) -> _Outcome:
        """One hop: retry connection trouble, 429 and 5xx with backoff or the server's Retry-After."""
        p = self.policy
        host = self._host(httpx.URL(url))
        attempt = 0
        while True:
            attempt += 1
            last = attempt > p.retries
            try:
                status, resp_headers, body = await self._exchange(host, url, request)
            except _Failure as failure:
                if last or not failure.retry:
                    return _Outcome(error=_after(failure.reason, attempt), attempts=attempt, transient=failure.later)
                await asyncio.sleep(self._backoff(attempt))
                continue
            if status != 429 and status < 500:
                return _Outcome(status, resp_headers, body, _status_error(status), attempt)
            wait = retry_after(resp_headers.get("retry-after"))
            if wait is not None and wait > p.retry_after_cap_s:
                return _Outcome(status, resp_headers, error=f"retry-after {wait:.0f}s exceeds cap", attempts=attempt, transient=True)
            if last:
                return _Outcome(status, resp_headers, error=_after(f"http {status}", attempt), attempts=attempt, transient=True)
            if wait is not None:  # the server asked the whole host to slow down
                host.not_before = max(host.not_before, time.monotonic() + wait)
            await asyncio.sleep(max(wait or 0.0, self._backoff(attempt)))

    def _backoff(self, attempt: int) -> float:
        """Exponential with additive jitter, so gaps grow and retries from many tasks spread."""
        base = self.policy.backoff_s
        return base * 2 ** (attempt - 1) + random.uniform(0, base)

    async def _exchange(self, host: _Host, url: str, request: _Request) -> tuple[int, dict[str, str], bytes | None]:
        """One request under the concurrency limits and the deadline; a body only for 2xx.

        The wait for a request slot (overall and per host) and for the host's pacing is added
        to `request.queued_s`.
        """
        p = self.policy
        parsed = httpx.URL(url)
        target = httpcore.URL(scheme=parsed.raw_scheme, host=parsed.raw_host, port=parsed.port, target=parsed.raw_path)
        headers = {"Host": parsed.netloc.decode("ascii"), **request.headers}
        timeouts = {"connect": p.connect_timeout_s, "read": p.read_timeout_s, "write": p.read_timeout_s, "pool": p.deadline_s}
        queued = time.monotonic()
        async with host.sem, self._sem:
            await _pace(host)
            request.queued_s += time.monotonic() - queued
            try:
                async with asyncio.timeout(p.deadline_s):
                    async with self._pool.stream("GET", target, headers=list(headers.items()), extensions={"timeout": timeouts}) as resp:
                        # the server has the request now: the host's delay counts from here too, so a slow
                        # connect can never squeeze two requests closer together than the delay
                        host.not_before = max(host.not_before, time.monotonic() + host.delay)
                        resp_headers = dict(httpx.Headers(resp.headers))  # names lower-cased, repeats joined
                        body = await _read_body(resp, resp_headers, request.max_bytes) if 200 <= resp.status < 300 else None
                        return resp.status, resp_headers, body
            except TimeoutError:
                raise _Failure(f"timeout: deadline {p.deadline_s:g}s exceeded", retry=False, later=True) from None
            except AddressRefused as exc:
                raise _Failure(str(exc), retry=False, later=isinstance(exc, LookupFailed)) from None
            except httpcore.TimeoutException:
                raise _Failure("timeout", retry=True) from None
            except httpcore.ConnectError as exc:
                refused = any(isinstance(e, ConnectionRefusedError) for e in _chain(exc))
                raise _Failure("connection refused" if refused else f"connect error: {_describe(exc)}", retry=True) from None
            except httpcore.RemoteProtocolError as exc:  # also disconnects, truncation, h11's header limit
                raise _Failure(f"protocol error: {_describe(exc)[:120]}", retry=True) from None
            except httpcore.NetworkError as exc:
                raise _Failure(f"network error: {_describe(exc)}", retry=True) from None
            except (httpcore.LocalProtocolError, httpcore.UnsupportedProtocol) as exc:
                raise _Failure(f"http error: {type(exc).__name__}: {exc}", retry=False) from None


async def _read_body(resp: httpcore.Response, headers: dict[str, str], cap: int) -> bytes:
    """Stream the body, inflating gzip ourselves so the DECODED size never passes `cap`.

    Inflating a whole socket read at once would not do: 64 KiB of a gzip bomb is ~64 MB.
    """
    declared = headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        raise _Failure(f"body exceeds {cap} bytes", retry=False)
    encoding = headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("identity", "gzip", "x-gzip"):
        raise _Failure(f"unsupported content-encoding {encoding}", retry=False)
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 16) if encoding != "identity" else None
    body = bytearray()
    try:
        async for data in resp.aiter_stream():
            while data:
                if inflater is None:
                    chunk, data = data, b""
                else:
                    chunk = inflater.decompress(data, cap + 1 - len(body))
                    data = inflater.unconsumed_tail
                    if inflater.eof and inflater.unused_data:  # another gzip member follows
                        data, inflater = inflater.unused_data, zlib.decompressobj(zlib.MAX_WBITS | 16)
                body += chunk
                if len(body) > cap:
                    raise _Failure(f"body exceeds {cap} bytes", retry=False)
    except zlib.error:
        raise _Failure("decoding error", retry=False) from None
    if inflater is not None and not inflater.eof:
        raise _Failure("decoding error: gzip stream truncated", retry=False)
    return bytes(body)


async def _pace(host: _Host) -> None:
    """Space request starts to one host by its delay (policy, Crawl-delay, Retry-After).

    `_exchange` pushes the mark again when the response starts, so the gap holds between the
    requests' arrivals at the server, not only between their starts here.
    """
    async with host.lock:
        wait = host.not_before - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        host.not_before = time.monotonic() + host.delay


def retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header, either delta-seconds or an HTTP-date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())


def _status_error(status: int) -> str | None:
    if status == 404:
        return "not found (404)"
    if status == 410:
        return "gone (410)"
    if status >= 400 or (status >= 300 and status not in _REDIRECTS and status != 304):
        return f"http {status}"
    return None


def _after(reason: str, attempts: int) -> str:
    return f"{reason} after {attempts} attempts" if attempts > 1 else reason


def _chain(exc: BaseException) -> list[BaseException]:
    """An exception and its causes, outermost first (httpx wraps httpcore wraps OSError)."""
    chain = [exc]
    while chain[-1].__cause__ or chain[-1].__context__:
        chain.append(chain[-1].__cause__ or chain[-1].__context__)
    return chain


def _describe(exc: BaseException) -> str:
    """The first non-empty message in the chain: async httpx errors often have none."""
    return next((str(e) for e in _chain(exc) if str(e)), type(exc).__name__)
