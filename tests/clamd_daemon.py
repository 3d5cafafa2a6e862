"""A real ClamAV daemon for the tests, run from Debian's ``clamd`` binary with our own
signature database.

No signatures can be downloaded here (freshclam needs the network), and none are needed:
clamd starts with any database directory holding at least one signature. Ours is one
``.ndb`` body signature for the EICAR test string, anywhere in any file. The daemon listens
on a unix socket and on a free loopback TCP port, in the foreground, as a child of the test
run; the packaged systemd service and freshclam are never used. It starts in about 0.2 s.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

# The standard antivirus test file, assembled here so this source is not itself flagged.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
# clamd adds ".UNOFFICIAL" to the name of a signature from a database it did not sign.
SIGNATURE = "Legalaid.Test.Eicar.UNOFFICIAL"
# Small enough that a test can go past it cheaply, large enough for the tests' uploads.
STREAM_MAX_BYTES = 1024 * 1024
START_TIMEOUT = 30.0


def find_clamd() -> str | None:
    """Debian installs it in /usr/sbin, which is not on every user's PATH."""
    return shutil.which("clamd") or shutil.which("clamd", path="/usr/sbin:/usr/local/sbin")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


class ClamdDaemon:
    """One clamd process; :meth:`stop` and :meth:`start` again (a test may stop it)."""

    def __init__(self, binary: str, root: Path) -> None:
        self.binary, self.root = binary, root
        self.socket_path = root / "clamd.sock"
        self.log_path = root / "clamd.log"
        self.port = free_port()
        database = root / "db"
        database.mkdir()
        (database / "legalaid.ndb").write_text(f"Legalaid.Test.Eicar:0:*:{EICAR.hex()}\n")
        self.database, self.config = database, root / "clamd.conf"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def tcp_address(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    @property
    def unix_address(self) -> str:
        return f"unix://{self.socket_path}"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> None:
        for attempt in range(3):
            try:
                self._start()
                return
            except RuntimeError:
                if attempt == 2:
                    raise
                self.port = free_port()  # taken meanwhile by another process, perhaps

    def _start(self) -> None:
        self.config.write_text(
            "\n".join(
                [
                    f"DatabaseDirectory {self.database}",
                    f"LocalSocket {self.socket_path}",
                    f"TCPSocket {self.port}",
                    "TCPAddr 127.0.0.1",
                    "Foreground yes",
                    f"LogFile {self.log_path}",
                    f"StreamMaxLength {STREAM_MAX_BYTES // 1024}K",
                    "SelfCheck 0",  # nothing reloads the database under a test
                    "",
                ]
            )
        )
        self.process = subprocess.Popen(
            [self.binary, f"--config-file={self.config}"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + START_TIMEOUT
        while not (self._pong(socket.AF_UNIX, str(self.socket_path)) and self._pong_tcp()):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                log = self.log_path.read_text() if self.log_path.exists() else ""
                raise RuntimeError(f"clamd did not start:\n{log[-2000:]}")
            time.sleep(0.02)  # waiting for a daemon to load its database, not in a test

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def _pong_tcp(self) -> bool:
        return self._pong(socket.AF_INET, ("127.0.0.1", self.port))

    @staticmethod
    def _pong(family: socket.AddressFamily, target: str | tuple[str, int]) -> bool:
        try:
            with socket.socket(family, socket.SOCK_STREAM) as sock:
                sock.settimeout(1)
                sock.connect(target)
                sock.sendall(b"zPING\0")
                return sock.recv(16) == b"PONG\0"
        except OSError:
            return False
