"""Client addresses behind a reverse proxy.

Rate limits and login locks key on the client's address. Behind nginx every request comes from the proxy,
so all clients would share one counter; a client sending its own ``X-Forwarded-For`` must not choose its
address either. Only when the direct peer is a configured trusted proxy (``QINGQIAN_TRUSTED_PROXIES``:
addresses or networks, comma-separated) is ``X-Forwarded-For`` read, from the right, skipping further
trusted proxies: the first address not trusted is the client. ``X-Forwarded-Proto`` of the nearest proxy
sets the scheme (secure cookies, generated URLs). Like werkzeug's ProxyFix, but by address, not by count,
so a request that reaches the app around the proxy cannot forge its origin.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from flask import Flask

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(value: str | Iterable[str] | None) -> list[Network]:
    """``"10.0.0.1, 172.16.0.0/12"`` → networks; a malformed entry raises ValueError (at start-up)."""
    items = value.split(",") if isinstance(value, str) else list(value or [])
    out = []
    for item in (i.strip() for i in items):
        if item:
            try:
                out.append(ipaddress.ip_network(item, strict=False))
            except ValueError as exc:
                raise ValueError(f"QINGQIAN_TRUSTED_PROXIES: {item!r} is not an address or network") from exc
    return out


def trusted(address: str | None, networks: list[Network]) -> bool:
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(peer: str, forwarded_for: str, networks: list[Network]) -> str:
    """The client behind ``peer`` (a trusted proxy): the right-most forwarded address not trusted."""
    client = peer
    for address in reversed([a.strip() for a in forwarded_for.split(",") if a.strip()]):
        try:
            ipaddress.ip_address(address)
        except ValueError:
            break  # garbage in the chain: keep the last address a trusted proxy vouched for
        client = address
        if not trusted(address, networks):
            break
    return client


class TrustedProxies:
    """WSGI middleware setting ``REMOTE_ADDR`` (and the scheme) from trusted proxies' headers only.

    Reads ``TRUSTED_PROXIES`` from the app's config on each request (parsed once per value)."""

    def __init__(self, app: Flask, wsgi_app) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        self._parsed: tuple[str, list[Network]] = ("", [])

    def networks(self) -> list[Network]:
        value = self.app.config.get("TRUSTED_PROXIES") or ""
        if value != self._parsed[0]:
            self._parsed = (value, parse_networks(value))
        return self._parsed[1]

    def __call__(self, environ, start_response):
        peer = environ.get("REMOTE_ADDR")
        networks = self.networks()
        if networks and trusted(peer, networks):
            environ["qingqian.proxy_peer"] = peer
            environ["REMOTE_ADDR"] = client_address(peer, environ.get("HTTP_X_FORWARDED_FOR", ""), networks)
            proto = environ.get("HTTP_X_FORWARDED_PROTO", "").split(",")[-1].strip().lower()
            if proto in ("http", "https"):
                environ["wsgi.url_scheme"] = proto
        return self.wsgi_app(environ, start_response)


def install(app: Flask) -> None:
    parse_networks(app.config.get("TRUSTED_PROXIES"))  # a typo fails at start-up, not on a request
    app.wsgi_app = TrustedProxies(app, app.wsgi_app)
