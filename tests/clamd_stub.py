"""A loopback server speaking clamd's INSTREAM protocol, standing in for the daemon.

ClamAV's daemon cannot get its signatures here (no network), so tests talk to this
instead: it reads ``zINSTREAM\\0`` and the length-prefixed chunks exactly as clamd does
and answers like it: ``stream: OK``, ``stream: Eicar-Test-Signature FOUND`` when the
EICAR test string is in the stream, or the size-limit ``ERROR`` past ``max_bytes``.
"""

from __future__ import annotations

import socket
import socketserver
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# The standard antivirus test file, assembled here so this source is not itself flagged.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


class _Handler(socketserver.BaseRequestHandler):
    server: _Server

    def handle(self) -> None:
        command = self._exactly(len(b"zINSTREAM\0"))
        if command != b"zINSTREAM\0":
            self.request.sendall(b"UNKNOWN COMMAND\0")
            return
        received = bytearray()
        while True:
            (size,) = struct.unpack("!I", self._exactly(4))
            if size == 0:
                break
            received += self._exactly(size)
            if len(received) > self.server.max_bytes:
                self.request.sendall(b"INSTREAM size limit exceeded. ERROR\0")
                return
        self.server.scanned.append(bytes(received))
        if EICAR in received:
            self.request.sendall(b"stream: Eicar-Test-Signature FOUND\0")
        else:
            self.request.sendall(b"stream: OK\0")

    def _exactly(self, count: int) -> bytes:
        data = b""
        while len(data) < count:
            piece = self.request.recv(count - len(data))
            if not piece:
                raise ConnectionError("client went away")
            data += piece
        return data


class _Server(socketserver.ThreadingMixIn, socketserver.BaseServer):
    daemon_threads = True
    max_bytes: int
    scanned: list[bytes]


class _TCP(_Server, socketserver.TCPServer):
    pass


class _Unix(_Server, socketserver.UnixStreamServer):
    pass


@contextmanager
def clamd_stub(
    *, unix_path: Path | None = None, max_bytes: int = 25 * 1024 * 1024
) -> Iterator[tuple[str, list[bytes]]]:
    """The address (tcp://127.0.0.1:port or unix://path) and the streams it received."""
    server: _Server
    if unix_path is not None:
        server = _Unix(str(unix_path), _Handler)
        address = f"unix://{unix_path}"
    else:
        server = _TCP(("127.0.0.1", 0), _Handler)
        address = f"tcp://127.0.0.1:{server.server_address[1]}"
    server.max_bytes, server.scanned = max_bytes, []
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield address, server.scanned
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def closed_port() -> str:
    """A loopback address where nothing listens (a daemon that is down)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"tcp://127.0.0.1:{port}"
