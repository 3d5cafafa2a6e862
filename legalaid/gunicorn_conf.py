"""gunicorn settings shipped with the package: ``gunicorn -c python:legalaid.gunicorn_conf``.

Every value can be changed through the environment (``LEGALAID_BIND``, ``LEGALAID_WORKERS``,
``LEGALAID_TIMEOUT``), so a systemd unit needs no copy of this file.

The worker timeout must fit the longest request. Releases are counted by the job consumer
(``legalaid jobs run``), not in a request; the longest requests left are large document
uploads and downloads and exports. 180 s leaves room for a slow client or disk; pages
answer in well under a second.
"""

from __future__ import annotations

import os

bind = os.environ.get("LEGALAID_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("LEGALAID_WORKERS", "3"))
worker_class = "sync"
timeout = int(os.environ.get("LEGALAID_TIMEOUT", "180"))
# A stopping worker finishes the request it is in (a save, a release) before it exits.
graceful_timeout = timeout
keepalive = 5
# The reverse proxy on the same machine; the app itself believes X-Forwarded-For only for
# the number of hops LEGALAID_TRUSTED_PROXIES declares (1 behind one nginx).
forwarded_allow_ips = os.environ.get("LEGALAID_FORWARDED_ALLOW_IPS", "127.0.0.1")
# Restart workers now and then so that a slow leak never grows without bound.
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
# No query strings in the access log: %(U)s is the path only (no PII in URLs anyway).
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
errorlog = "-"
