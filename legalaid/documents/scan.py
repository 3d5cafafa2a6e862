"""A virus scan of every uploaded file, when a scanner is configured (off by default).

:class:`ClamdScanner` speaks ClamAV's daemon protocol: ``zINSTREAM``, then the file in
chunks each preceded by its length (4 bytes, network order), then a zero length; the
daemon answers ``stream: OK``, ``stream: <signature> FOUND`` or ``... ERROR``. It is
reached over TCP (``tcp://host:port``) or a unix socket (``unix:///run/clamd.sock``),
set by ``LEGALAID_CLAMD_ADDRESS``. When set, scanning fails closed: a daemon that does
not answer refuses the upload rather than keeping an unchecked file.
"""

from __future__ import annotations

import socket
import struct
from typing import BinaryIO, Protocol
from urllib.parse import urlsplit

from flask import Flask

CHUNK = 64 * 1024


class ScanUnavailableError(Exception):
    """The scanner could not give a verdict (down, timed out, a limit, an error reply)."""


class Scanner(Protocol):
    def scan(self, stream: BinaryIO) -> str | None:
        """None when clean, else the name of what was found; the stream is left at 0."""


class ClamdScanner:
    def __init__(self, address: str, *, timeout: float = 30.0) -> None:
        parts = urlsplit(address)
        if parts.scheme == "unix" and parts.path:
            self.family, self.target = socket.AF_UNIX, parts.path
        elif parts.scheme == "tcp" and parts.hostname and parts.port:
            self.family = socket.AF_INET6 if ":" in parts.hostname else socket.AF_INET
            self.target = (parts.hostname, parts.port)  # type: ignore[assignment]
        else:
            raise ValueError("a clamd address is tcp://host:port or unix:///path")
        self.timeout = timeout

    def scan(self, stream: BinaryIO) -> str | None:
        stream.seek(0)
        try:
            with socket.socket(self.family, socket.SOCK_STREAM) as sock:
                sock.settimeout(self.timeout)
                sock.connect(self.target)
                sock.sendall(b"zINSTREAM\0")
                try:
                    while chunk := stream.read(CHUNK):
                        sock.sendall(struct.pack("!I", len(chunk)) + chunk)
                    sock.sendall(struct.pack("!I", 0))
                except (BrokenPipeError, ConnectionResetError):
                    # The daemon stops reading at its StreamMaxLength and says why before
                    # it closes: read that answer if it came (else the error stands).
                    reply = _read_reply(sock)
                    if not reply:
                        raise
                else:
                    reply = _read_reply(sock)
        except OSError as error:
            # Including a reset when the daemon stops reading at its StreamMaxLength.
            raise ScanUnavailableError(type(error).__name__) from None
        finally:
            stream.seek(0)
        return _verdict(reply)


def _read_reply(sock: socket.socket) -> bytes:
    reply = b""
    while not reply.endswith(b"\0"):
        piece = sock.recv(4096)
        if not piece:
            break
        reply += piece
        if len(reply) > 8192:
            raise ScanUnavailableError("reply too long")
    return reply.rstrip(b"\0").strip()


def _verdict(reply: bytes) -> str | None:
    text = reply.decode("utf-8", "replace")
    # "stream: OK", "stream: Eicar-Test-Signature FOUND", "INSTREAM size limit exceeded. ERROR"
    _, _, result = text.partition(": ")
    if text.endswith(" FOUND") and result:
        return result.removesuffix(" FOUND").strip()[:64] or "unknown"
    if result == "OK":
        return None
    raise ScanUnavailableError("clamd: " + text[:100])


def scanner_of(app: Flask) -> Scanner | None:
    scanner: Scanner | None = app.extensions.get("legalaid.documents.scanner")
    return scanner


def make_scanner(address: str) -> Scanner | None:
    return ClamdScanner(address) if address else None
