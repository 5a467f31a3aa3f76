"""HTTP as it travels on the wire: a raw request with any bytes in its headers, and a non-loopback address of this
machine to send from, for tests of what a client library would refuse to send or could not send from loopback."""

from __future__ import annotations

import asyncio
import ipaddress
import json
import socket
from dataclasses import dataclass
from typing import Any

WAIT = 10.0  # seconds for one raw exchange


@dataclass(frozen=True)
class RawAnswer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def _request(
    host: str,
    port: int,
    method: str,
    path: str,
    headers: list[tuple[bytes, bytes]],
    body: bytes,
    host_header: bytes | None,
) -> bytes:
    lines = [
        f"{method} {path} HTTP/1.1".encode(),
        b"Host: " + (f"{host}:{port}".encode() if host_header is None else host_header),
    ]
    lines += [name + b": " + value for name, value in headers]
    lines += [b"Content-Length: " + str(len(body)).encode(), b"Connection: close"]
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def _answer(data: bytes) -> RawAnswer:
    head, _, rest = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    parsed = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        parsed[name.strip().lower()] = value.strip()
    if parsed.get("transfer-encoding") == "chunked":
        rest = _unchunk(rest)
    return RawAnswer(status=int(status_line.split()[1]), headers=parsed, body=rest)


async def raw_request(
    host: str,
    port: int,
    method: str,
    path: str,
    *,
    headers: list[tuple[bytes, bytes]] | None = None,
    body: bytes = b"",
    host_header: bytes | None = None,
) -> RawAnswer:
    """One HTTP/1.1 request whose header bytes are sent exactly as given (no encoding, no checks)."""
    async with asyncio.timeout(WAIT):
        reader, writer = await asyncio.open_connection(host, port)
        try:
            writer.write(_request(host, port, method, path, headers or [], body, host_header))
            await writer.drain()
            data = await reader.read()
        finally:
            writer.close()
    return _answer(data)


def exchange(
    host: str,
    port: int,
    method: str,
    path: str,
    *,
    headers: list[tuple[bytes, bytes]] | None = None,
    body: bytes = b"",
    host_header: bytes | None = None,
) -> RawAnswer:
    """The same, blocking: for a test whose server runs on another thread's loop."""
    with socket.create_connection((host, port), timeout=WAIT) as conn:
        conn.sendall(_request(host, port, method, path, headers or [], body, host_header))
        chunks = []
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    return _answer(b"".join(chunks))


def _unchunk(data: bytes) -> bytes:
    out = b""
    while data:
        size, _, data = data.partition(b"\r\n")
        n = int(size.split(b";")[0], 16)
        if n == 0:
            break
        out, data = out + data[:n], data[n + 2 :]
    return out


def outside_address() -> str | None:
    """An address of this machine that is not loopback (None when it has none): a request sent to it comes from
    a non-loopback peer, as one from another machine would."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # no packet is sent: this only picks the outgoing interface
            address = probe.getsockname()[0]
    except OSError:
        return None
    return None if ipaddress.ip_address(address).is_loopback else str(address)
