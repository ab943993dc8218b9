"""Which URIs a notification may be delivered to (``nf_common.delivery`` POSTs to them).

Two questions, asked where a URI comes in (the PCF's ``notifUri``, the NEF's
``notificationDestination``) and again by the sender at every connection:

- can it ever be delivered (``undeliverable``)? Found only at delivery, a URI the sender
  can never POST to would make the notification undeliverable with nobody told, and the
  one who can fix it is the one sending it now;
- may it be (``Destinations``)? A notification URI is chosen by a peer, and a POST to
  it is a request made with the sender's network position: without a check any peer can
  make the PCF POST to its own operator listener, to the loopback services of its host,
  or to a cloud metadata service (SSRF). The operator's allow-list decides; by default
  loopback, link-local, unspecified, multicast and cloud metadata addresses, and this
  machine's own listeners, are refused.

The answer for a host name depends on what DNS says at the time, which may change
between the check at Create and a delivery (DNS rebinding): the sender resolves the
name itself at delivery, checks each address, and connects to a checked address only
(``Destinations.addresses``).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import ipaddress
import re
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

# 2048 characters is far beyond any real callback and well under what HTTP clients and
# proxies accept (httpx refuses 64 KiB), so a longer one can only fail at delivery time.
MAX_URI = 2048
_NOT_IN_URI = re.compile(r"[\x00-\x20\x7f]")
_LABEL = r"[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?"
_HOST_NAME = re.compile(rf"^(\*\.)?{_LABEL}(\.{_LABEL})*$")

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
DestinationCheck = Callable[[str, str], "str | None"]
"""``check(uri, attribute name)``: why the URI is refused, or None (``undeliverable``)."""

# Refused unless the operator allows them: nothing a peer should make the PCF or the
# NEF POST to. Metadata services: AWS, GCP and Azure (169.254.169.254, link-local
# anyway), AWS over IPv6 (fd00:ec2::254), Alibaba (100.100.100.200), Oracle
# (192.0.0.192).
REFUSED_BY_DEFAULT: tuple[tuple[Network, str], ...] = tuple(
    (ipaddress.ip_network(cidr), why)
    for cidr, why in (
        ("0.0.0.0/8", "an unspecified address"),
        ("::/128", "an unspecified address"),
        ("127.0.0.0/8", "a loopback address"),
        ("::1/128", "a loopback address"),
        ("169.254.169.254/32", "a cloud metadata address"),
        ("fd00:ec2::254/128", "a cloud metadata address"),
        ("100.100.100.200/32", "a cloud metadata address"),
        ("192.0.0.192/32", "a cloud metadata address"),
        ("169.254.0.0/16", "a link-local address"),
        ("fe80::/10", "a link-local address"),
        ("224.0.0.0/4", "a multicast address"),
        ("ff00::/8", "a multicast address"),
        ("255.255.255.255/32", "a broadcast address"),
    )
)


def undeliverable(uri: str, name: str) -> str | None:
    """Why ``uri`` (the attribute ``name``) can never be delivered to; None if it can.

    It must be an absolute ``http`` or ``https`` URI with a host, a valid port, no
    spaces or control characters, of at most ``MAX_URI`` characters.
    """
    if len(uri) > MAX_URI:
        return f"{name} is longer than {MAX_URI} characters"
    if _NOT_IN_URI.search(uri):
        return f"{name} contains spaces or control characters"
    try:
        parts = urlsplit(uri)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        return f"{name} is not a valid URI ({exc})"
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return f"{name} must be an absolute http or https URI"
    return None


class DestinationRefused(Exception):
    """The destination is not allowed; retrying cannot change it."""


def _address(text: str) -> Address | None:
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    return address


def _is_local(address: Address) -> bool:
    """Whether ``address`` is one of this machine's: only those can be bound to."""
    family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as probe:
            probe.bind((str(address), 0))
    except OSError:
        return False
    return True


def _name_matches(host: str, names: Iterable[str]) -> bool:
    host = host.lower().rstrip(".")
    for name in (n.lower().rstrip(".") for n in names):
        if name.startswith("*."):
            if host.endswith(name[1:]):
                return True
        elif host == name:
            return True
    return False


def _network(entry: str) -> Network | None:
    with contextlib.suppress(ValueError):
        return ipaddress.ip_network(entry, strict=False)
    return None


def entry_problem(entry: str) -> None:
    """Raise ``ValueError`` if ``entry`` is neither a CIDR (or address) nor a host name."""
    if _network(entry) is None and not _HOST_NAME.match(entry.lower().rstrip(".")):
        raise ValueError(f"{entry!r} is neither an address, a CIDR nor a host name")


@dataclass(frozen=True)
class Destinations:
    """The operator's allow-list of notification destinations, and this host's listeners.

    Each address a URI's host stands for is judged in this order: a port of
    ``own_ports`` on an address of this machine is refused (the server's own listeners,
    whatever is allowed: the test stub's ``/reset`` is there); then an entry of
    ``refuse`` (CIDR or host name) refuses; an entry of ``allow`` allows; an address of
    ``REFUSED_BY_DEFAULT`` is refused; any other is allowed, unless ``only_allowed``.
    Host names match exactly or, written ``*.example.com``, any name under it; a name
    allowed by name is allowed whatever it resolves to (the operator vouches for it).
    """

    allow: tuple[str, ...] = ()
    refuse: tuple[str, ...] = ()
    only_allowed: bool = False
    own_ports: frozenset[int] = frozenset()

    def __post_init__(self) -> None:
        for entry in (*self.allow, *self.refuse):
            entry_problem(entry)  # raises ValueError naming it

    @functools.cached_property
    def _networks(self) -> tuple[tuple[Network, ...], tuple[Network, ...]]:
        def networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
            found = (_network(entry) for entry in entries)
            return tuple(n for n in found if n is not None)

        return networks(self.allow), networks(self.refuse)

    def with_own_ports(self, *ports: int) -> Destinations:
        return Destinations(
            self.allow, self.refuse, self.only_allowed, self.own_ports | frozenset(ports)
        )

    def address_refusal(self, host: str, address: Address, port: int) -> str | None:
        """Why a connection to ``address`` (for ``host``) on ``port`` is refused; None if not."""
        if port in self.own_ports and _is_local(address):
            return f"{address} port {port} is a listener of this server"
        allowed, refused = self._networks
        named = host if host == str(address) else f"{host} ({address})"
        if _name_matches(host, self.refuse) or any(address in n for n in refused):
            return f"{named} is refused by the operator"
        if _name_matches(host, self.allow) or any(address in n for n in allowed):
            return None
        for network, why in REFUSED_BY_DEFAULT:
            if address in network:
                return f"{named} is {why}, not in the allow-list"
        if self.only_allowed:
            return f"{named} is not in the allow-list"
        return None

    def _static(self, uri: str, name: str) -> tuple[str, int, str | None]:
        parts = urlsplit(uri)
        host = (parts.hostname or "").lower()
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
        if _name_matches(host, self.refuse):
            return host, port, f"{name}: {host} is refused by the operator"
        return host, port, None

    def refusal_without_dns(self, uri: str, name: str) -> str | None:
        """``refusal`` of what the URI says itself (an address, a refused name); no DNS.

        For a redirect target, whose addresses the connection checks as it is made.
        """
        reason = undeliverable(uri, name)
        if reason is not None:
            return reason
        host, port, reason = self._static(uri, name)
        literal = _address(host)
        if reason is None and literal is not None:
            found = self.address_refusal(host, literal, port)
            reason = None if found is None else f"{name}: {found}"
        return reason

    def refusal(self, uri: str, name: str) -> str | None:
        """Why ``uri`` may not be a notification URI, resolving its host now; None if it may.

        A name DNS does not answer for is not refused here: the sender checks again at
        every delivery. One whose addresses are all refused is.
        """
        reason = self.refusal_without_dns(uri, name)
        host, port, _ = self._static(uri, name) if reason is None else ("", 0, None)
        if reason is not None or _address(host) is not None:
            return reason
        try:
            answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            return None
        usable, reason = self._usable(host, port, [str(a[4][0]) for a in answers])
        return None if usable or reason is None else f"{name}: {reason}"

    def _usable(self, host: str, port: int, candidates: list[str]) -> tuple[list[str], str | None]:
        """The allowed ones of ``candidates``, and why the first refused one is."""
        usable = []
        first_reason = None
        for text in dict.fromkeys(candidates):
            address = _address(text)
            reason = (
                "unusable address" if address is None else self.address_refusal(host, address, port)
            )
            if reason is None:
                usable.append(text)
            elif first_reason is None:
                first_reason = reason
        return usable, first_reason

    async def addresses(self, host: str, port: int) -> list[str]:
        """The addresses a connection to ``host`` may go to, resolved now and checked.

        Raises ``DestinationRefused`` when none may, ``OSError`` when DNS fails. The
        caller connects to one of these, never to the name: what was checked is what is
        reached.
        """
        literal = _address(host)
        if literal is not None:
            candidates = [str(literal)]
        else:
            if _name_matches(host, self.refuse):
                raise DestinationRefused(f"{host} is refused by the operator")
            loop = asyncio.get_running_loop()
            answers = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            candidates = [str(a[4][0]) for a in answers]
        usable, first_reason = self._usable(host, port, candidates)
        if not usable:
            raise DestinationRefused(first_reason or f"{host} has no address")
        return usable


LABS = Destinations(allow=("127.0.0.0/8", "::1"))
"""Loopback allowed: a lab or a test whose receivers run on this machine."""
