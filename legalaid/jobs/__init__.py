"""Background jobs on Huey: what runs outside a request, and when.

A feature registers its jobs in a ``jobs`` module of its own package, with the two
wrappers of :mod:`legalaid.jobs.registry`::

    from legalaid.jobs.registry import crontab, periodic_task, task

    @task("reminders.send")
    def send_reminders(session: Session, *, case_id: int) -> None:
        ...  # runs in an app context; ``session`` commits when the job returns

    @periodic_task(crontab(minute="30", hour="2"), name="retention.run")
    def nightly_retention(session: Session) -> None:
        ...

    send_reminders.enqueue(case_id=7)   # from a request (after its commit) or a command

and lists that module in :data:`legalaid.jobs.queue.JOB_MODULES`. Each job gets a fresh
:class:`~sqlalchemy.orm.Session` (also ``db_session()`` inside the job): the wrapper
commits it when the function returns and rolls it back when it raises; a job that makes
several units of work (one client erased at a time) commits each itself. Arguments are
pickled into the queue: pass record ids, never personal values (the queue is not
encrypted).

Where the queue lives (``LEGALAID_JOBS_URL``): by default a SQLite file in the instance
folder (no extra server); ``redis://...`` uses Redis; ``immediate`` runs each job at
once in the process that enqueues it (the test suite only; refused in production).
Who runs them: ``legalaid jobs run`` (production, one consumer process beside gunicorn,
see docs/deploy/legalaid-jobs.service); ``legalaid run`` starts a consumer thread beside
the development server.
"""
