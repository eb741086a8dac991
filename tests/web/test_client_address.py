"""Which address the access log and the log-in throttle see (issue 12): X-Forwarded-For counts only
from a configured trusted proxy."""

from __future__ import annotations

import ipaddress

import pytest

from hjemme.web.deps import client_address

PROXY = (ipaddress.ip_network("10.0.0.1/32"), ipaddress.ip_network("192.168.5.0/24"))


@pytest.mark.parametrize(
    ("peer", "forwarded", "trusted", "expected"),
    [
        ("127.0.0.1", "203.0.113.9", (), "127.0.0.1"),  # no trusted proxies: the header is ignored
        ("198.51.100.7", "203.0.113.9", PROXY, "198.51.100.7"),  # a stranger cannot choose its address
        ("10.0.0.1", "203.0.113.9", PROXY, "203.0.113.9"),  # behind the proxy: the client it saw
        ("10.0.0.1", "6.6.6.6, 203.0.113.9, 192.168.5.4", PROXY, "203.0.113.9"),  # spoofed left hop ignored
        ("10.0.0.1", "not-an-address", PROXY, "10.0.0.1"),  # garbage leaves the peer
        ("10.0.0.1", None, PROXY, "10.0.0.1"),
    ],
)
def test_forwarded_for_only_from_trusted_proxies(peer, forwarded, trusted, expected):
    """The logged address is the peer unless the peer is a trusted proxy, then the nearest untrusted hop."""
    assert client_address(peer, forwarded, trusted) == expected


def test_untrusted_forwarded_for_does_not_escape_the_throttle(web):
    """Changing X-Forwarded-For on every try does not reset the per-address log-in count."""
    for n in range(20):
        web.client.post("/login", data={"username": f"nobody{n}", "password": "feil"},
                        headers={"X-Forwarded-For": f"203.0.113.{n}"})
    response = web.client.post("/login", data={"username": "x", "password": "y"},
                               headers={"X-Forwarded-For": "203.0.113.200"})
    assert response.status_code == 429
