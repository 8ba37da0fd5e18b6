"""`creditflow serve`: gunicorn with several worker processes and one scheduler process.

Web workers only serve requests (each builds its own app after the fork, so no connection pool
is shared). The scheduler (timers, sweeps, outbox every 2 s) runs in exactly one extra process,
`creditflow scheduler`, started and stopped with the server; it and POST /admin/tick take the
same job lock (web.scheduling), so a tick returns only after everything due has fired.
"""

from __future__ import annotations

import logging
import subprocess
import sys
from typing import Any

from gunicorn.app.base import BaseApplication

log = logging.getLogger(__name__)


class Server(BaseApplication):
    """The WSGI server as deployed: gunicorn, app built by the factory in each worker."""

    def __init__(self, options: dict[str, Any], scheduler: bool) -> None:
        """Keep gunicorn's settings and whether to run the scheduler process."""
        self._options, self._scheduler = options, scheduler
        self._child: subprocess.Popen | None = None
        super().__init__()

    def load_config(self) -> None:
        """Hand the settings and the scheduler hooks to gunicorn."""
        for key, value in self._options.items():
            self.cfg.set(key, value)
        if self._scheduler:
            self.cfg.set("when_ready", self._start_scheduler)
            self.cfg.set("on_exit", self._stop_scheduler)

    def load(self) -> Any:
        """Build the app in the worker (after the fork)."""
        from web import create_app

        return create_app()

    def _start_scheduler(self, server: Any) -> None:
        self._child = subprocess.Popen([sys.executable, "-m", "web.cli", "scheduler"])
        log.info("scheduler process started", extra={"pid": self._child.pid})

    def _stop_scheduler(self, server: Any) -> None:
        if self._child is not None and self._child.poll() is None:
            self._child.terminate()
            try:
                self._child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._child.kill()


def serve(host: str, port: int, workers: int, threads: int, scheduler: bool) -> None:
    """Run gunicorn until it is stopped (SIGINT / SIGTERM)."""
    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "keepalive": 5,
        "timeout": 60,
        "graceful_timeout": 30,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "info",
        "proc_name": "creditflow",
        # gunicorn 25+ opens a control socket in the home directory; installations sharing
        # a host would share it.
        "control_socket_disable": True,
    }
    Server(options, scheduler).run()
