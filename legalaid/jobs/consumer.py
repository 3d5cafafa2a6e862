"""Running the queue: a consumer process for production, a thread beside the dev server."""

from __future__ import annotations

from typing import Any

from huey.consumer import Consumer

from legalaid.jobs.queue import JobQueue


class EmbeddedConsumer(Consumer):
    """A consumer started from a thread that is not the process's main one.

    Huey's own consumer takes SIGINT/SIGTERM for itself; beside a development server (or
    in a test) those signals belong to the host, which stops the consumer by calling
    :meth:`stop`.
    """

    def _set_signal_handlers(self) -> None:
        pass


def consumer_options(workers: int) -> dict[str, Any]:
    return {
        "workers": workers,
        "worker_type": "thread",
        "periodic": True,
        "check_worker_health": True,
    }


def run_consumer(queue: JobQueue, *, workers: int = 1) -> None:
    """Run until SIGINT/SIGTERM (``legalaid jobs run``); finishes the running job first."""
    # SIGTERM (systemd's stop) lets the running job finish; a second one interrupts it.
    consumer = queue.huey.create_consumer(graceful_signal="TERM", **consumer_options(workers))
    consumer.run()


def start_embedded_consumer(queue: JobQueue, *, workers: int = 1) -> EmbeddedConsumer:
    """Start worker and scheduler threads in this process; the caller stops them."""
    consumer = EmbeddedConsumer(queue.huey, **consumer_options(workers))
    consumer.start()
    return consumer
