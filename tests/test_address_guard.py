"""The address guard: the rule as pure functions (no socket), then the fetcher connecting only to checked addresses.

Every connection below goes through `LoopbackOnly`, which opens nothing but 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import ipaddress
import ssl

import httpcore
import pytest
from conftest import LoopbackOnly, scripted_server

from flows.address_guard import AddressBook, AddressRefused, GuardedNetwork, check_address, embedded_ipv4, host_address
from flows.http import Fetcher, FetchPolicy, check_url_allowed

PUBLIC = FetchPolicy()
LOCAL = FetchPolicy(allow_loopback=True, respect_robots=False, backoff_s=0.05, delay_s=0.0)  # what --allow-local gives, unpaced
V4 = ipaddress.IPv4Address


# --- the rule, without any socket ---------------------------------------------------------

@pytest.mark.parametrize(
    ("address", "carried"),
    [
        ("::ffff:10.0.0.1", ["10.0.0.1"]),  # IPv4-mapped
        ("::10.0.0.1", ["10.0.0.1"]),  # IPv4-compatible
        ("::ffff:0:10.0.0.1", ["10.0.0.1"]),  # IPv4-translated
        ("64:ff9b::169.254.169.254", ["169.254.169.254"]),  # NAT64 well-known prefix
        ("64:ff9b:1:a9fe:a9:fe00::", ["169.254.169.254", "254.169.254.0", "169.254.0.0", "0.0.0.0"]),  # local-use: /48, /56, /64, /96 layouts
        ("64:ff9b:1::a9:fea9:fe00:0", ["0.0.169.254", "0.169.254.169", "169.254.169.254", "254.0.0.0"]),  # the same at the /64 place
        ("2002:a00:1::1", ["10.0.0.1"]),  # 6to4
        ("2001:0:4136:e378:8000:63bf:f5ff:fffe", ["65.54.227.120", "10.0.0.1"]),  # Teredo: server, then inverted client
        ("2606:4700::5efe:10.0.0.1", ["10.0.0.1"]),  # ISATAP interface id
        ("2606:4700::200:5efe:a9fe:a9fe", ["169.254.169.254"]),  # ISATAP, universal bit set
        ("::1", []), ("::", []), ("2606:4700::1111", []), ("2001:4860:4860::8888", []),
    ],
)
def test_every_embedded_ipv4_is_found(address, carried):
    assert embedded_ipv4(ipaddress.IPv6Address(address)) == [V4(a) for a in carried]


@pytest.mark.parametrize(
    "url",
    [
        # IPv4 private, shared, link-local (cloud metadata), unspecified, multicast, loopback
        "http://10.0.0.1/", "http://172.16.5.4/", "http://192.168.1.1/", "http://169.254.169.254/latest/meta-data/",
        "http://127.0.0.1/", "http://100.64.0.1/", "http://0.0.0.0/", "http://224.0.0.1/",
        # IPv6 loopback, unique-local, link-local, documentation
        "http://[::1]/", "http://[fd00:ec2::254]/", "http://[fe80::1]/", "http://[2001:db8::1]/",
        # IPv6 that carries a non-public IPv4 address
        "http://[::ffff:10.0.0.1]/", "http://[::10.0.0.1]/", "http://[::ffff:0:10.0.0.1]/",
        "http://[64:ff9b::169.254.169.254]/", "http://[64:ff9b::10.0.0.1]/", "http://[64:ff9b:1::a9fe:a9fe]/",
        "http://[64:ff9b:1:a9fe:a9:fe00::]/", "http://[2002:a00:1::1]/", "http://[2002:a9fe:a9fe::1]/",
        "http://[2001:0:4136:e378:8000:63bf:f5ff:fffe]/", "http://[2001:0:a00:1::1]/",
        "http://[2606:4700::5efe:10.0.0.1]/", "http://[2606:4700::200:5efe:a9fe:a9fe]/",
        # IPv4 in legacy spellings: decimal, hex, octal, short forms, a trailing dot
        "http://2130706433/", "http://0x7f.1/", "http://127.1/", "http://0177.1/", "http://0x7f000001/",
        "http://0xa9fea9fe/", "http://10.1/", "http://192.168.1/", "http://0x7f.1./",
    ],
)
def test_guard_refuses_every_non_public_address_in_any_spelling(url):
    assert check_url_allowed(url, PUBLIC).startswith("address not allowed")


@pytest.mark.parametrize(
    "url",
    [
        "http://8.8.8.8/", "http://134744072/", "http://0x8.0x8.0x8.0x8/", "http://[2606:4700::1111]/",
        "http://[64:ff9b::8.8.8.8]/", "http://[2002:808:808::1]/", "http://[2606:4700::5efe:8.8.8.8]/",
        "https://example.com/news", "http://123.example/",
    ],
)
def test_guard_allows_public_addresses_in_any_spelling(url):
    assert check_url_allowed(url, PUBLIC) is None


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("http://127.0.0.1:8000/", True), ("http://[::1]:8000/", True), ("http://[::ffff:127.0.0.1]/", True),
        ("http://0x7f.1/", True), ("http://2130706433/", True), ("http://localhost:8000/", True),
        # a carried loopback address is the translator's or the relay's, never ours
        ("http://[::127.0.0.1]/", False), ("http://[64:ff9b::127.0.0.1]/", False), ("http://[2002:7f00:1::1]/", False),
        ("http://10.0.0.1/", False), ("http://0.0.0.0/", False), ("http://[::]/", False), ("http://169.254.169.254/", False),
    ],
)
def test_allow_local_allows_only_loopback(url, allowed):
    assert (check_url_allowed(url, LOCAL) is None) is allowed


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("file:///etc/passwd", "unsupported scheme file"), ("ftp://127.0.0.1/x", "unsupported scheme ftp"),
        ("javascript:alert(1)", "unsupported scheme javascript"), ("http:///nohost", "no host"),
        ("http://[::1", "invalid url"), ("http://xn--/", "invalid url"), ("http://1.2.3.999/", "invalid url"),
        ("http://0177.0.0.1/", "invalid url"),  # httpx cannot parse it: nothing could fetch it
        ("http://1.2.3.4.5/", "invalid url: not an IPv4 address: 1.2.3.4.5"),
        ("http://127.0.0.1:99999/", "invalid url: port 99999"), ("http://a..b/", "invalid url: host a..b"),
    ],
)
def test_guard_checks_scheme_port_and_host(url, reason):
    assert check_url_allowed(url, PUBLIC) == reason


def test_legacy_ipv4_spellings_denote_one_address_and_names_none():
    for host in ("2130706433", "0x7f.1", "127.1", "0177.0.0.1", "0177.1", "0x7F.0.0.1", "127.0.0.1."):
        assert host_address(host) == V4("127.0.0.1")
    assert host_address("::1") == ipaddress.IPv6Address("::1")
    for name in ("example.com", "123.example", "localhost", "0x7f.example"):
        assert host_address(name) is None
    with pytest.raises(ValueError):
        host_address("1.2.3.4.5")


def test_allowlist_is_checked_before_addresses():
    allow = dataclasses.replace(LOCAL, allowed_hosts=frozenset({"127.0.0.1"}))
    assert check_url_allowed("http://localhost:8000/", allow) == "host not allowed: localhost"
    assert check_address(ipaddress.ip_address("::1"), allow_loopback=True) is None


# --- connections go only to checked addresses ---------------------------------------------

class Rebinding:
    """A DNS answer that changes after the first lookup, as a rebinding attacker's server gives."""

    def __init__(self, *answers: list[str]):
        self.answers, self.calls = list(answers), []

    async def __call__(self, host: str) -> list[str]:
        self.calls.append(host)
        return self.answers[min(len(self.calls), len(self.answers)) - 1]


def test_every_connection_goes_to_the_address_that_was_checked(farm):
    """First answer loopback, every later one 10.0.0.1: the fetcher must never use a later one."""
    farm.reset()
    dns, network = Rebinding(["127.0.0.1"], ["10.0.0.1"]), LoopbackOnly()
    host = f"rebind.test:{farm.port}"
    policy = dataclasses.replace(LOCAL, respect_robots=True, per_host=4)

    async def go():
        async with Fetcher(policy, resolver=dns, network=network) as fetcher:
            urls = [f"http://{host}/site0/article/{i}.html" for i in range(8)] + [f"http://{host}/hostile/moved-permanently"]
            return await asyncio.gather(*(fetcher.fetch(u) for u in urls))

    results = asyncio.run(go())
    assert all(r.ok for r in results), [r.error for r in results]
    assert results[-1].final_url == f"http://{host}/site0/article/1.html"
    assert dns.calls == ["rebind.test"]  # one lookup for the robots.txt, every page and the redirect hop
    assert len(network.connects) >= 2 and set(network.connects) == {("127.0.0.1", farm.port)}
    assert farm.stats()["hosts"][host]["robots_requests"] == 1  # Host header: the name, not the address

    async def next_batch():  # a new fetcher asks again, and checks the new answer
        async with Fetcher(policy, resolver=dns, network=network) as fetcher:
            return await fetcher.fetch(f"http://{host}/site0/article/0.html")

    refused = asyncio.run(next_batch())
    assert refused.error == "address not allowed: 10.0.0.1" and refused.attempts == 0
    assert dns.calls == ["rebind.test", "rebind.test"] and set(network.connects) == {("127.0.0.1", farm.port)}


def test_a_name_with_any_refused_address_is_refused_whole():
    network = LoopbackOnly()

    async def go():
        async with Fetcher(LOCAL, resolver=Rebinding(["127.0.0.1", "64:ff9b::a9fe:a9fe"]), network=network) as fetcher:
            return await fetcher.fetch("http://mixed.test/")

    result = asyncio.run(go())
    assert result.error == "address not allowed: 64:ff9b::a9fe:a9fe (carries 169.254.169.254)"
    assert network.connects == []


def test_the_network_backend_itself_refuses_unchecked_addresses():
    """The socket layer enforces the rule on its own, whatever the caller checked before."""
    network = LoopbackOnly()
    guarded = GuardedNetwork(AddressBook(allow_loopback=True, resolver=Rebinding(["169.254.169.254"])), network)
    with pytest.raises(AddressRefused, match="address not allowed: 169.254.169.254"):
        asyncio.run(guarded.connect_tcp("metadata.test", 80))
    private = GuardedNetwork(AddressBook(allow_loopback=True, overrides={"evil.test": "10.0.0.1:80"}), network)
    with pytest.raises(AddressRefused, match="address not allowed: 10.0.0.1"):
        asyncio.run(private.connect_tcp("evil.test", 80))
    assert network.connects == []


def _redirect(location: str) -> bytes:
    return f"HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode()


@pytest.mark.parametrize(
    ("location", "reason"),
    [
        ("http://10.0.0.1/admin", "address not allowed: 10.0.0.1"),
        ("http://169.254.169.254/latest/meta-data/", "address not allowed: 169.254.169.254"),
        ("http://[::ffff:192.168.0.1]/", "address not allowed: 192.168.0.1"),
        ("http://[64:ff9b::169.254.169.254]/", "address not allowed: 64:ff9b::a9fe:a9fe (carries 169.254.169.254)"),
        ("http://0xa9fea9fe/", "address not allowed: 169.254.169.254"),
        ("http://rebound.test/", "address not allowed: 10.0.0.1"),
        ("gopher://127.0.0.1:6379/_FLUSHALL", "unsupported scheme gopher"),
    ],
)
def test_redirect_hops_are_guarded_before_connecting(location, reason):
    network = LoopbackOnly()

    async def go():
        async with scripted_server({"/start": _redirect(location)}) as (base, seen):
            async with Fetcher(LOCAL, resolver=Rebinding(["10.0.0.1"]), network=network) as fetcher:
                return await fetcher.fetch(base + "/start"), seen

    result, seen = asyncio.run(go())
    assert result.error == reason and result.attempts == 0
    assert seen == ["/start"] and {host for host, _ in network.connects} == {"127.0.0.1"}


def test_hosts_map_to_a_private_address_is_refused():
    network = LoopbackOnly()

    async def go():
        async with Fetcher(dataclasses.replace(LOCAL, hosts={"evil.test": "10.0.0.1:80"}), network=network) as fetcher:
            return await fetcher.fetch("http://evil.test/")

    result = asyncio.run(go())
    assert result.error == "address not allowed: 10.0.0.1" and network.connects == []


def test_hosts_map_a_name_to_a_local_address(farm):
    farm.reset()
    policy = dataclasses.replace(LOCAL, respect_robots=True, hosts={"farm.newsflow.test": f"127.0.0.1:{farm.port}"})

    async def go():
        async with Fetcher(policy) as fetcher:
            return await asyncio.gather(fetcher.fetch("http://farm.newsflow.test/site0/private/0.html"),
                                        fetcher.fetch("http://farm.newsflow.test/hostile/moved-permanently"))

    trap, article = asyncio.run(go())
    assert trap.error == "robots.txt disallows"
    assert article.ok and article.final_url == "http://farm.newsflow.test/site0/article/1.html"
    assert farm.stats()["hosts"]["farm.newsflow.test"]["robots_requests"] == 1


def test_fetcher_refuses_resolved_loopback_without_permission(farm):
    farm.reset()
    policy = dataclasses.replace(LOCAL, allow_loopback=False)

    async def go():
        async with Fetcher(policy) as fetcher:
            return await asyncio.gather(fetcher.fetch(farm.url("/")), fetcher.fetch(f"http://localhost:{farm.port}/"))

    by_ip, by_name = asyncio.run(go())
    assert by_ip.error == "address not allowed: 127.0.0.1" and by_ip.attempts == 0
    assert by_name.error.startswith("address not allowed") and by_name.attempts == 0
    assert farm.stats()["requests_total"] == 0


# --- TLS keeps the name: SNI and certificate verification ---------------------------------

def _certificates(name: str) -> tuple[bytes, bytes, bytes]:
    """(CA certificate, server certificate, server key) in PEM, the server's for `name`."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = dt.datetime.now(dt.UTC)

    def issue(subject: str, key, issuer: str, issuer_key, ca: bool) -> x509.Certificate:
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
            .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(hours=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if ca:
            usage = dict(digital_signature=True, key_cert_sign=True, crl_sign=True)
        else:
            usage = dict(digital_signature=True, key_cert_sign=False, crl_sign=False)
            builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(subject)]), critical=False)
        builder = builder.add_extension(x509.KeyUsage(content_commitment=False, key_encipherment=False, data_encipherment=False,
                                                      key_agreement=False, encipher_only=False, decipher_only=False, **usage),
                                        critical=True)
        return builder.sign(issuer_key, hashes.SHA256())

    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = issue("newsflow test CA", ca_key, "newsflow test CA", ca_key, ca=True)
    leaf = issue(name, key, "newsflow test CA", ca_key, ca=False)
    pem = serialization.Encoding.PEM
    key_pem = key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return ca.public_bytes(pem), leaf.public_bytes(pem), key_pem


def test_tls_uses_the_name_while_the_socket_uses_the_checked_address(tmp_path):
    ca_pem, cert_pem, key_pem = _certificates("news.test")
    (tmp_path / "cert.pem").write_bytes(cert_pem)
    (tmp_path / "key.pem").write_bytes(key_pem)
    server_ssl = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ssl.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    server_names, hosts = [], []
    server_ssl.sni_callback = lambda sock, name, ctx: server_names.append(name)
    client_ssl = ssl.create_default_context(cadata=ca_pem.decode())
    network = LoopbackOnly()

    async def answer(reader, writer):
        hosts.extend(line.split(b":", 1)[1].strip().decode() for line in (await reader.readuntil(b"\r\n\r\n")).split(b"\r\n")
                     if line.lower().startswith(b"host:"))
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
        await writer.drain()
        writer.close()

    async def go():
        server = await asyncio.start_server(answer, "127.0.0.1", 0, ssl=server_ssl)
        port = server.sockets[0].getsockname()[1]
        book = AddressBook(allow_loopback=True, resolver=Rebinding(["127.0.0.1"]))
        async with server, httpcore.AsyncConnectionPool(ssl_context=client_ssl, network_backend=GuardedNetwork(book, network)) as pool:
            ok = await pool.request("GET", f"https://news.test:{port}/", headers=[("Host", f"news.test:{port}")])
            with pytest.raises(httpcore.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):  # the certificate is checked against the name
                await pool.request("GET", f"https://other.test:{port}/", headers=[("Host", f"other.test:{port}")])
            return ok, port

    ok, port = asyncio.run(go())
    assert ok.status == 200 and ok.content == b"ok"
    assert server_names[0] == "news.test" and hosts == [f"news.test:{port}"]
    assert set(network.connects) == {("127.0.0.1", port)}


@pytest.mark.parametrize(
    ("address", "carried"),
    [
        ("64:ff9b:1::a00:1", "10.0.0.1"),  # local-use NAT64, /96 layout
        ("64:ff9b:1:a9fe:a9:fe00::", "169.254.169.254"),  # local-use NAT64, /48 layout
        ("64:ff9b::a00:1", "10.0.0.1"),
    ],
)
def test_a_refusal_names_the_ipv4_address_the_ipv6_one_carries(address, carried):
    assert check_address(ipaddress.ip_address(address), allow_loopback=False) == f"address not allowed: {address} (carries {carried})"
