"""The address guard: which IP addresses the fetcher may connect to, and connections to no others.

A feed, an entry or a redirect may name any host, so every address a connection could
reach is judged by one rule, `check_address`: public unicast only, loopback only when
allowed. An IPv6 address that carries an IPv4 address (IPv4-mapped, -compatible and
-translated, NAT64, 6to4, Teredo, ISATAP) is judged by the IPv4 address it leads to as well
(`embedded_ipv4`), and a host spelled as a legacy IPv4 number (`2130706433`, `0x7f.1`,
`127.1`) by the address it denotes (`host_address`).

Names are resolved once per fetcher (`AddressBook`), every address of the answer is checked,
and the network backend (`GuardedNetwork`) connects only to a checked address. A DNS answer
that changes between the check and the connection (rebinding) is therefore never used. The
URL keeps the name, so the Host header, TLS SNI and certificate verification use the name.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from collections.abc import Awaitable, Callable, Mapping

import httpcore

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str], Awaitable[list[str]]]  # host name -> its addresses, as strings

# RFC 6052 section 2.2: where an IPv4 address sits in an IPv4-embedded IPv6 address, by the
# length of the translator's prefix, as (first bit, bit count) parts; bits 64-71 ("u") are skipped.
_RFC6052_PARTS = {
    32: ((32, 32),), 40: ((40, 24), (72, 8)), 48: ((48, 16), (72, 16)),
    56: ((56, 8), (72, 24)), 64: ((72, 32),), 96: ((96, 32),),
}
# NAT64 prefixes: the well-known 64:ff9b::/96 (RFC 6052) and the local-use 64:ff9b:1::/48
# (RFC 8215), inside which an operator picks a prefix of 48 to 96 bits: every layout is read.
_NAT64 = (
    (ipaddress.IPv6Network("64:ff9b::/96"), (96,)),
    (ipaddress.IPv6Network("64:ff9b:1::/48"), (48, 56, 64, 96)),
)
_THIS_NETWORK = ipaddress.IPv4Network("0.0.0.0/8")  # RFC 791/1122: never a destination
_LEGACY_IPV4_LAST_LABEL = re.compile(r"[0-9]+|0[xX][0-9a-fA-F]*")


class AddressRefused(Exception):
    """A host that must not be connected to: permanent."""


class LookupFailed(AddressRefused):
    """A host name whose addresses could not be found: transient, a later run may find them."""


def check_address(address: IPAddress, allow_loopback: bool) -> str | None:
    """Why a connection to `address` is refused, or None when it is allowed.

    Allowed: public unicast addresses (`ipaddress`'s `is_global`, from the IANA special-purpose
    registries), and loopback (127.0.0.0/8, ::1, ::ffff:127.0.0.0/104) when `allow_loopback`.
    Refused: private, shared (100.64/10), link-local and cloud metadata (169.254/16), unspecified,
    reserved, documentation and multicast addresses, and any IPv6 address that carries such an
    IPv4 address (`embedded_ipv4`); a carried IPv4 address is never loopback to us, so it must be public.
    """
    if address.version == 6 and address.ipv4_mapped:  # the very same socket address as the IPv4 one
        address = address.ipv4_mapped
    if address.is_loopback:
        return None if allow_loopback else f"address not allowed: {address}"
    if not _public(address):
        return f"address not allowed: {address}"
    if address.version == 6:
        refused = [carried for carried in embedded_ipv4(address) if not _public(carried)]
        if refused:
            # A layout that reads the wrong bits yields 0.x.x.x ("this network"); name a real one when there is one.
            named = next((a for a in refused if a not in _THIS_NETWORK), refused[0])
            return f"address not allowed: {address} (carries {named})"
    return None


def _public(address: IPAddress) -> bool:
    return address.is_global and not address.is_multicast


def embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """Every IPv4 address that `address` leads to by an IPv6 transition mechanism, in this order:

    IPv4-mapped ::ffff:0:0/96 and IPv4-compatible ::/96 (RFC 4291 2.5.5, but not :: and ::1),
    IPv4-translated ::ffff:0:0:0/96 (RFC 2765), NAT64 (RFC 6052, RFC 8215: every layout of the
    local-use prefix), 6to4 2002::/16 (RFC 3056), Teredo 2001::/32 (RFC 4380: the server, then
    the client, whose bits are inverted) and an ISATAP interface id ::0:5efe:a.b.c.d or
    ::200:5efe:a.b.c.d under any prefix (RFC 5214 6.1). 6rd prefixes are operator-chosen and
    cannot be recognised. Empty when none applies.
    """
    n = int(address)
    found = []
    if n >> 32 in (0xFFFF, 0xFFFF_0000) or (n >> 32 == 0 and n > 1):
        found.append(ipaddress.IPv4Address(n & 0xFFFF_FFFF))
    for network, lengths in _NAT64:
        if address in network:
            found += [_rfc6052_ipv4(n, length) for length in lengths]
    if address.sixtofour:
        found.append(address.sixtofour)
    if address.teredo:
        found += address.teredo
    if (n >> 32) & 0xFCFF_FFFF == 0x0000_5EFE:  # the universal/local and group bits may be set
        found.append(ipaddress.IPv4Address(n & 0xFFFF_FFFF))
    return found


def _rfc6052_ipv4(n: int, prefix_length: int) -> ipaddress.IPv4Address:
    bits = 0
    for first, count in _RFC6052_PARTS[prefix_length]:
        bits = bits << count | (n >> (128 - first - count)) & ((1 << count) - 1)
    return ipaddress.IPv4Address(bits)


def host_address(host: str) -> IPAddress | None:
    """The IP address a URL host denotes without DNS, or None for a name.

    Besides IPv4 and IPv6 literals, a host whose last label is a number is an IPv4 address in
    the spellings `inet_aton`, `getaddrinfo` and browsers accept (WHATWG URL "ends in a number"):
    decimal, 0x-hex and 0-octal parts, 1 to 4 of them (`2130706433`, `0x7f.1`, `0177.0.0.1`,
    `127.1` all denote 127.0.0.1). Raises ValueError for such a host that is no address (`1.2.3.999`).
    """
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    name = host.removesuffix(".")
    if not _LEGACY_IPV4_LAST_LABEL.fullmatch(name.rpartition(".")[2]):
        return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(name))
    except (OSError, UnicodeError):
        raise ValueError(f"not an IPv4 address: {host}") from None


async def _getaddrinfo(host: str) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


class AddressBook:
    """Where each host may be reached: found once (an address literal, `overrides`, or one DNS
    lookup per host for the book's lifetime) and checked with `check_address` on every use.

    `overrides` maps a host name to "ip:port" to connect to instead (the demo's sample site).
    `resolver` replaces DNS (tests). A failed lookup is not remembered: it may be transient.
    """

    def __init__(self, allow_loopback: bool, overrides: Mapping[str, str] | None = None, resolver: Resolver | None = None):
        self._allow_loopback = allow_loopback
        self._overrides = overrides or {}
        self._resolve = resolver or _getaddrinfo
        self._lookups: dict[str, asyncio.Future[list[str]]] = {}

    async def targets(self, host: str, port: int) -> list[tuple[str, int]]:
        """The (ip, port) pairs a connection to host:port may use, in the resolver's order.

        Raises AddressRefused when any address of the host is refused (a name that also points
        inside is not trusted for its other addresses) or when it has none.
        """
        if host in self._overrides:
            ip, _, override_port = self._overrides[host].rpartition(":")
            addresses, port = [ipaddress.ip_address(ip)], int(override_port)
        else:
            addresses = await self._addresses(host)
        for address in addresses:
            refusal = check_address(address, self._allow_loopback)
            if refusal:
                raise AddressRefused(refusal)
        return [(str(address), port) for address in addresses]

    async def _addresses(self, host: str) -> list[IPAddress]:
        try:
            literal = host_address(host)
        except ValueError as exc:
            raise AddressRefused(f"invalid url: {exc}") from None
        if literal:
            return [literal]
        if host not in self._lookups:  # concurrent fetches of one new host share one lookup
            self._lookups[host] = asyncio.ensure_future(self._resolve(host))
        try:
            found = [ipaddress.ip_address(a) for a in await asyncio.shield(self._lookups[host])]
        except (OSError, UnicodeError, ValueError):
            found = []
        if not found:
            self._lookups.pop(host, None)
            raise LookupFailed(f"dns lookup failed: {host}")
        return found

    def close(self) -> None:
        """Cancel lookups still running (a fetch that waited for one was cancelled)."""
        for lookup in self._lookups.values():
            lookup.cancel()


class GuardedNetwork(httpcore.AsyncNetworkBackend):
    """An httpcore network backend that connects a host only to the addresses its `AddressBook` allows.

    httpcore hands it the URL's host and port and then starts TLS with the URL's host as
    server name, so only the socket's address changes. Raises AddressRefused before any
    socket is opened; otherwise tries the checked addresses in order.
    """

    def __init__(self, book: AddressBook, inner: httpcore.AsyncNetworkBackend | None = None):
        self._book = book
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                          socket_options=None) -> httpcore.AsyncNetworkStream:
        failure: Exception | None = None
        for address, to_port in await self._book.targets(host, port):
            try:
                return await self._inner.connect_tcp(address, to_port, timeout=timeout, local_address=local_address,
                                                     socket_options=socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        raise failure

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)
