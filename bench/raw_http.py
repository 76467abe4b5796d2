"""A cheap HTTP/1.1 client for load benches: one keep-alive connection per
caller, requests built as bytes, answers read by Content-Length.

A bench that shares the cores with the server it measures must cost little per
request, or it measures itself: httpx spends about a millisecond of Python per
request, this a few tens of microseconds.
"""

from __future__ import annotations

import asyncio
import json


class Connection:
    """One keep-alive connection that sends POSTs with one bearer token."""

    def __init__(self, host: str, port: int, token: str) -> None:
        self.host, self.port = host, port
        self._head = (
            f"Host: {host}:{port}\r\nAuthorization: Bearer {token}\r\n"
            "Content-Type: application/json\r\nConnection: keep-alive\r\n"
        ).encode()
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def _open(self) -> None:
        self._reader, self._writer = await asyncio.open_connection(self.host, self.port)

    async def post(self, path: str, body: bytes) -> int:
        """Send one POST and read its whole answer; its status code."""
        if self._writer is None or self._writer.is_closing():
            await self._open()
        assert self._reader is not None and self._writer is not None
        self._writer.write(
            b"POST " + path.encode() + b" HTTP/1.1\r\n" + self._head
            + b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
        )  # fmt: skip
        try:
            head = await self._reader.readuntil(b"\r\n\r\n")
            status, length, close = _parse(head)
            await self._reader.readexactly(length)
        except (asyncio.IncompleteReadError, ConnectionError):
            self.close()
            raise
        if close:
            self.close()
        return status

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None


def _parse(head: bytes) -> tuple[int, int, bool]:
    """(status, Content-Length, server closes) of a response head."""
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    length, close = 0, False
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"connection":
            close = value.strip().lower() == b"close"
        elif name == b"transfer-encoding":
            raise ValueError("chunked answers are not read by this client")
    return status, length, close


def body_bytes(body: dict) -> bytes:
    """A request body as the bytes sent (built once per request kind)."""
    return json.dumps(body, separators=(",", ":")).encode()
