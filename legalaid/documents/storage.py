"""Where document ciphertext is kept: a small interface, a local folder behind it.

Names are random hex chosen by the app (:func:`new_storage_name`), never a user's file
name, and every name is checked before it becomes a path. The local folder lives in
the instance folder by default, outside the package and its ``static/`` folder, so no
web server route can reach it; files are read only through the download view.

An S3-compatible store can implement the same four methods later (``write`` as an
upload that becomes visible only once complete, ``delete`` as DeleteObject).
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import BinaryIO, Protocol

_NAME = re.compile(r"[0-9a-f]{64}")


def new_storage_name() -> str:
    return secrets.token_hex(32)


def _checked(name: str) -> str:
    if not _NAME.fullmatch(name):
        raise ValueError("not a storage name of this application")
    return name


class DocumentStore(Protocol):
    def write(self, name: str) -> AbstractContextManager[BinaryIO]: ...

    def open(self, name: str) -> BinaryIO: ...

    def delete(self, name: str) -> None: ...

    def names(self) -> Iterator[str]: ...


class LocalStore:
    """A folder (mode 0700) of files (mode 0600); a write is visible only once complete."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, name: str) -> Path:
        return self.root / _checked(name)

    @contextmanager
    def write(self, name: str) -> Iterator[BinaryIO]:
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        final = self._path(name)
        partial = self.root / f".{name}.partial"
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as handle:
                yield handle
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(partial, final)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise

    def open(self, name: str) -> BinaryIO:
        return self._path(name).open("rb")

    def delete(self, name: str) -> None:
        self._path(name).unlink(missing_ok=True)

    def names(self) -> Iterator[str]:
        if not self.root.is_dir():
            return
        for path in self.root.iterdir():
            if _NAME.fullmatch(path.name):
                yield path.name
