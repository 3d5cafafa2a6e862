"""Document ciphertext in an S3-compatible store: a 20 MB file sealed into it and opened.

The store is moto's S3 server in its own process on loopback (so its memory is not
counted here), beside the local folder store and a plain file copy. Memory is
tracemalloc's peak of this process's Python allocations during each step: the S3
write buffers one multipart part (5 MiB), whatever the file's size.

Usage (from the project root)::

    .venv/bin/python benchmarks/document_s3.py [--mb 20] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from legalaid.documents.storage import LocalStore, S3Store, new_storage_name
from legalaid.documents.streaming import decrypt_chunks, encrypt_stream, new_data_key, new_file_id
from legalaid.settings import S3Settings


def _timed(step: Callable[[], None], runs: int) -> tuple[float, int]:
    best, peak = float("inf"), 0
    for _ in range(runs):
        tracemalloc.start()
        started = time.perf_counter()
        step()
        best = min(best, time.perf_counter() - started)
        peak = max(peak, tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    return best, peak


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603 - our own venv's moto_server, fixed arguments
        [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "benchmark")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "benchmark")
    try:
        endpoint = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        s3 = S3Store(S3Settings("legalaid-bench", "documents/", endpoint, "us-east-1"))
        s3.client.create_bucket(Bucket="legalaid-bench")
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            plain, copy = root / "plain", root / "copy"
            with plain.open("wb") as handle:
                for _ in range(args.mb):
                    handle.write(os.urandom(1024 * 1024))
            local = LocalStore(root / "store")
            key, file_id = new_data_key(), new_file_id()
            names = {"local": new_storage_name(), "s3": new_storage_name()}
            stores = {"local": local, "s3": s3}

            def do_copy() -> None:
                with plain.open("rb") as src, copy.open("wb") as dst:
                    shutil.copyfileobj(src, dst, 64 * 1024)

            def seal(which: str) -> Callable[[], None]:
                def step() -> None:
                    stores[which].delete(names[which])
                    with plain.open("rb") as src, stores[which].write(names[which]) as dst:
                        encrypt_stream(src, dst, key, file_id)

                return step

            def unseal(which: str) -> Callable[[], None]:
                def step() -> None:
                    with stores[which].open(names[which]) as src, copy.open("wb") as dst:
                        for chunk in decrypt_chunks(src, key, file_id):
                            dst.write(chunk)

                return step

            rows = [("plain copy", *_timed(do_copy, args.runs))]
            for which in ("local", "s3"):
                rows.append((f"{which}: encrypt+store", *_timed(seal(which), args.runs)))
                rows.append((f"{which}: read+decrypt", *_timed(unseal(which), args.runs)))
                if copy.read_bytes() != plain.read_bytes():
                    raise SystemExit(f"the file read from {which} differs from the original")
    finally:
        server.terminate()
        server.wait()
    print(f"file: {args.mb} MiB, best of {args.runs}; S3 = moto server on loopback")
    base = rows[0][1]
    for name, seconds, peak in rows:
        print(
            f"  {name:22} {seconds * 1000:8.1f} ms  {args.mb / seconds:7.1f} MiB/s"
            f"  x{seconds / base:5.1f} of a copy  tracemalloc peak {peak / 1024:8.1f} KiB"
        )


if __name__ == "__main__":
    main()
