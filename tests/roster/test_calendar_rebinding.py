"""DNS rebinding: a calendar's host name may resolve to a public address when it is checked and to
127.0.0.1 or 169.254.169.254 a moment later. The connection goes to the address that was checked,
at every redirect hop; the Host header, TLS SNI and certificate stay the host name's.

The "internet" here is simulated and nothing leaves the machine: names answer as each test says,
a few public addresses are routed to servers on loopback, and a connection to any other
non-loopback address is refused before it is made."""

from __future__ import annotations

import datetime
import ipaddress
import socket
import ssl

import pytest
import requests.adapters
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from coachhub.roster.calendars.fetch import CalendarFetchError, check_url, fetch_ical
from tests.radicale import IcsServer
from tests.roster.calendar_helpers import ics

PUBLIC, OTHER_PUBLIC = "93.184.215.14", "93.184.215.15"


class Internet:
    """`answers[name]`: the addresses a name resolves to, one lookup after another (the last one
    stays); `routed`: public addresses whose connections reach loopback; `connects`: every
    (address, port) a socket connected or tried to."""

    def __init__(self, monkeypatch):
        self.answers: dict[str, list[str]] = {}
        self.routed: set[str] = set()
        self.connects: list[tuple[str, int]] = []
        real_getaddrinfo, real_connect = socket.getaddrinfo, socket.socket.connect

        def getaddrinfo(host, port, *args, **kwargs):
            answers = self.answers.get(host)
            if answers is None:
                return real_getaddrinfo(host, port, *args, **kwargs)
            address = answers.pop(0) if len(answers) > 1 else answers[0]
            if ":" in address:
                return [(socket.AF_INET6, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, int(port), 0, 0))]
            return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, int(port)))]

        def connect(sock, address):
            host, port = address[0], address[1]
            self.connects.append((host, port))
            if host in self.routed:
                return real_connect(sock, ("127.0.0.1", port))
            if ipaddress.ip_address(host).is_loopback:
                return real_connect(sock, address)
            raise ConnectionRefusedError("the tests' internet ends here")

        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
        monkeypatch.setattr(socket.socket, "connect", connect)


@pytest.fixture
def internet(monkeypatch):
    return Internet(monkeypatch)


@pytest.fixture
def servers():
    made = []

    def serve(tls=None) -> IcsServer:
        server = IcsServer(tls)
        server.body = ics()
        made.append(server)
        return server

    yield serve
    for server in made:
        server.close()


def tls_for(tmp_path, monkeypatch, name: str) -> ssl.SSLContext:
    """A server context with a certificate for `name` from a test CA that requests trusts here."""
    now = datetime.datetime.now(datetime.UTC)

    def certificate(subject, issuer, key, signer, *, ca: bool, names=()):
        builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(hours=1))
                   .not_valid_after(now + datetime.timedelta(days=1))
                   .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
        if names:
            builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False)
        return builder.sign(signer, hashes.SHA256())

    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "CoachHub test CA")])
    ca = certificate(ca_name, ca_name, ca_key, ca_key, ca=True)
    leaf = certificate(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]), ca_name, key, ca_key,
                       ca=False, names=[name])
    (tmp_path / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "server.pem").write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "server.key").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    monkeypatch.setattr(requests.adapters, "DEFAULT_CA_BUNDLE_PATH", str(tmp_path / "ca.pem"))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "server.pem", tmp_path / "server.key")
    return context


def test_a_name_that_turns_to_loopback_after_the_check_is_never_connected_to(settings, internet, servers):
    settings.CALENDAR_ALLOW_PRIVATE_HOSTS = False
    local = servers()
    internet.answers["calendar.example"] = [PUBLIC, "127.0.0.1"]
    with pytest.raises(CalendarFetchError, match="could not be reached"):
        fetch_ical(f"http://calendar.example:{local.port}/secret.ics")
    assert internet.connects == [(PUBLIC, local.port)]
    assert local.hosts == []


def test_default_ports_are_pinned_too(settings, internet):
    settings.CALENDAR_ALLOW_PRIVATE_HOSTS = False
    internet.answers["calendar.example"] = [PUBLIC, "127.0.0.1"]
    with pytest.raises(CalendarFetchError, match="could not be reached"):
        fetch_ical("http://calendar.example/secret.ics")
    internet.answers["calendar.example"] = [PUBLIC, "127.0.0.1"]
    with pytest.raises(CalendarFetchError, match="could not be reached"):
        fetch_ical("https://calendar.example/secret.ics")
    assert internet.connects == [(PUBLIC, 80), (PUBLIC, 443)]


def test_the_connection_goes_to_the_checked_address_under_the_host_name(settings, internet, servers):
    settings.CALENDAR_ALLOW_PRIVATE_HOSTS = False
    public = servers()
    internet.answers["calendar.example"] = [PUBLIC, "127.0.0.1"]
    internet.routed = {PUBLIC}
    assert fetch_ical(f"http://calendar.example:{public.port}/secret.ics").body.startswith(b"BEGIN:VCALENDAR")
    assert internet.connects == [(PUBLIC, public.port)]
    assert public.hosts == [f"calendar.example:{public.port}"]


def test_https_to_a_pinned_address_still_checks_the_host_names_certificate(settings, internet, servers, tmp_path,
                                                                           monkeypatch):
    settings.CALENDAR_ALLOW_PRIVATE_HOSTS = False
    public = servers(tls_for(tmp_path, monkeypatch, "calendar.example"))
    internet.answers["calendar.example"] = [PUBLIC, "127.0.0.1"]
    internet.answers["elsewhere.example"] = [PUBLIC, "127.0.0.1"]
    internet.routed = {PUBLIC}
    assert fetch_ical(f"https://calendar.example:{public.port}/secret.ics").body.startswith(b"BEGIN:VCALENDAR")
    assert public.server_names == ["calendar.example"]
    with pytest.raises(CalendarFetchError, match="could not be reached"):
        fetch_ical(f"https://elsewhere.example:{public.port}/secret.ics")  # the certificate names another host
    assert public.server_names == ["calendar.example", "elsewhere.example"]
    assert {address for address, _ in internet.connects} == {PUBLIC}


def test_every_redirect_hop_is_checked_and_pinned(settings, internet, servers):
    settings.CALENDAR_ALLOW_PRIVATE_HOSTS = False
    first, second = servers(), servers()
    first.location = f"http://second.example:{second.port}/moved.ics"
    internet.answers["first.example"] = [PUBLIC, "127.0.0.1"]
    internet.answers["second.example"] = [OTHER_PUBLIC, "127.0.0.1"]
    internet.routed = {PUBLIC}
    with pytest.raises(CalendarFetchError, match="could not be reached"):
        fetch_ical(f"http://first.example:{first.port}/secret.ics")
    assert internet.connects == [(PUBLIC, first.port), (OTHER_PUBLIC, second.port)]
    assert len(first.hosts) == 1 and second.hosts == []


def test_a_redirect_to_a_metadata_address_is_refused_even_with_the_setting(settings, internet, servers):
    settings.CALENDAR_ALLOW_PRIVATE_HOSTS = True
    local = servers()
    local.location = "http://metadata.example/latest/meta-data/"
    internet.answers["metadata.example"] = ["169.254.169.254"]
    with pytest.raises(CalendarFetchError, match="private network"):
        fetch_ical(local.url)
    assert internet.connects == [("127.0.0.1", local.port)]


def test_a_name_that_turns_to_metadata_after_the_check_is_never_connected_to_even_with_the_setting(
        settings, internet, servers):
    settings.CALENDAR_ALLOW_PRIVATE_HOSTS = True
    local = servers()
    internet.answers["calendar.internal"] = ["127.0.0.1", "169.254.169.254"]
    assert fetch_ical(f"http://calendar.internal:{local.port}/secret.ics").body.startswith(b"BEGIN:VCALENDAR")
    assert internet.connects == [("127.0.0.1", local.port)]


@pytest.mark.parametrize("url", [
    "http://169.254.169.254/latest/meta-data/", "http://169.254.170.2/v2/credentials", "http://169.254.0.23/",
    "http://100.100.100.200/latest/meta-data/", "http://168.63.129.16/", "http://[fd00:ec2::254]/",
    "http://[::ffff:169.254.169.254]/", "http://[64:ff9b::a9fe:a9fe]/",
])
def test_metadata_ranges_are_refused_even_with_the_setting(settings, url):
    settings.CALENDAR_ALLOW_PRIVATE_HOSTS = True
    with pytest.raises(CalendarFetchError, match="private network"):
        check_url(url)


def test_loopback_through_nat64_is_private(settings):
    settings.CALENDAR_ALLOW_PRIVATE_HOSTS = False
    with pytest.raises(CalendarFetchError, match="private network"):
        check_url("http://[64:ff9b::7f00:1]/")
