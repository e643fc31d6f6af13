"""Running gunicorn from our own command, so `make run` needs no extra config file."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from reintegrate import create_web_worker

        return create_web_worker()


THREADS_PER_WORKER = 1
"""Requests a worker serves at once. One: under load, CPython 3.11's cyclic collector, running
SQLAlchemy's weak-reference callbacks while another request thread runs, corrupted ORM objects
and killed the worker (a segfault, seen by bench/load.sh at 4 threads in 7 runs of 7 and never at
1 thread). Requests are CPU-bound on a held GIL, so one thread per process costs no throughput;
scale with --workers."""


def run_gunicorn(host: str, port: int, workers: int) -> None:
    _Gunicorn(
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "threads": THREADS_PER_WORKER,
            "accesslog": "-",
            "timeout": 60,
        }
    ).run()
