"""Which addresses and URLs are loopback: pure checks, with no web stack behind them, so that reading the settings
(fairloop/config.py) costs a command nothing it does not use."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit


def loopback_address(host: str) -> bool:
    """127.0.0.0/8, ::1 (also written as ::ffff:127.0.0.1), or the name localhost."""
    name = host.strip().lower()
    if name == "localhost":
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


def host_name(header: str) -> str | None:
    """The name in a Host header (`name`, `name:port`, `[v6]`, `[v6]:port`, or a bare v6 address); None when the
    header is not one of those."""
    if header.startswith("["):
        name, bracket, port = header[1:].partition("]")
        if not bracket or (port and not (port.startswith(":") and port[1:].isdigit())):
            return None
        return name
    if header.count(":") > 1:
        return header  # ::1 without brackets
    name, colon, port = header.partition(":")
    return None if colon and not port.isdigit() else name


def loopback_url(url: str) -> bool:
    """An http(s) URL whose host is a loopback address or localhost."""
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and hostname is not None and loopback_address(hostname)
