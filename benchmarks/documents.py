"""Streaming document encryption: a 20 MB file sealed and opened, beside a plain copy.

Measures only the core (legalaid/documents/streaming.py) on local files: the HTTP
upload and download routes of issue 17 are not built yet. Memory is measured two ways:
tracemalloc's peak of Python allocations during each step, and the process's peak RSS
(ru_maxrss) before and after, so "flat" means neither grows with the file size.

Usage (from the project root)::

    .venv/bin/python benchmarks/documents.py [--mb 20] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from legalaid.documents.streaming import decrypt_chunks, encrypt_stream, new_data_key, new_file_id


def _timed(step: Callable[[], None], runs: int) -> tuple[float, int]:
    best = float("inf")
    peak = 0
    for _ in range(runs):
        tracemalloc.start()
        started = time.perf_counter()
        step()
        best = min(best, time.perf_counter() - started)
        peak = max(peak, tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    return best, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        plain, copy, sealed, opened = (root / n for n in ("plain", "copy", "sealed", "opened"))
        with plain.open("wb") as handle:
            for _ in range(args.mb):
                handle.write(os.urandom(1024 * 1024))
        key, file_id = new_data_key(), new_file_id()
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

        def do_copy() -> None:
            with plain.open("rb") as src, copy.open("wb") as dst:
                shutil.copyfileobj(src, dst, 64 * 1024)

        def do_seal() -> None:
            with plain.open("rb") as src, sealed.open("wb") as dst:
                encrypt_stream(src, dst, key, file_id)

        def do_open() -> None:
            with sealed.open("rb") as src, opened.open("wb") as dst:
                for chunk in decrypt_chunks(src, key, file_id):
                    dst.write(chunk)

        rows = [
            (name, *_timed(step, args.runs))
            for name, step in (
                ("plain copy", do_copy),
                ("encrypt (upload)", do_seal),
                ("decrypt (download)", do_open),
            )
        ]
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        if opened.read_bytes() != plain.read_bytes():
            raise SystemExit("the opened file differs from the original")
    print(f"file: {args.mb} MiB, best of {args.runs}")
    for name, seconds, peak in rows:
        print(
            f"  {name:20} {seconds * 1000:8.1f} ms  {args.mb / seconds:8.1f} MiB/s"
            f"  tracemalloc peak {peak / 1024:8.1f} KiB"
        )
    print(f"  peak RSS before {rss_before / 1024:.1f} MiB, after {rss_after / 1024:.1f} MiB")


if __name__ == "__main__":
    main()
