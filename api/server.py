"""The production servers behind `annuaire serve`: granian (the default) or gunicorn.

granian parses HTTP in Rust and keeps connections alive, so a request costs the Python
process little more than the application's own work: about twice the requests a second of
gunicorn's sync workers on a 2-core machine, for reads and terminology operations
(BENCHMARKS.md). gunicorn stays for those who run it everywhere else.

Either way the application is built once, in the serving process, and the workers fork from
it: they share the terminology indexes and open their own database connections."""

from __future__ import annotations

import gc
import multiprocessing
import os
import socket
from typing import Literal

from flask import Flask

from annuaire.settings import Settings

ServerName = Literal["granian", "gunicorn"]
SERVERS: tuple[ServerName, ...] = ("granian", "gunicorn")
# One request thread a process gives fast requests the shortest tail (BENCHMARKS.md).
DEFAULT_THREADS = 1


def default_workers(server: ServerName) -> int:
    """granian: a process per core (its HTTP costs a process little); gunicorn: two sync
    workers per core, since a sync worker idles while its request waits on the database."""
    cores = os.cpu_count() or 2
    return cores if server == "granian" else 2 * cores


def port_in_use(host: str, port: int) -> OSError | None:
    """Why `host:port` cannot be served, or None. granian listens with SO_REUSEPORT, so a
    second server on a busy port would start without a word and share the first one's
    connections; a plain bind finds the port taken."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.bind((host, port))
    except OSError as exc:
        return exc
    return None


def preloaded_app(settings: Settings) -> Flask:
    """The application, built once in the serving process: the workers fork with the
    terminology indexes already built, and open their own database connections."""
    from api import create_app

    app = create_app(settings)
    app.extensions["terminology"].warm()
    app.extensions["engine"].dispose()
    # What is loaded now lives as long as the server: keep it out of the garbage collector's
    # full passes (tens of ms over 40,000-concept indexes) and shared copy-on-write by the
    # forked workers.
    gc.freeze()
    return app


def run_server(
    settings: Settings,
    host: str,
    port: int,
    workers: int | None = None,
    threads: int = DEFAULT_THREADS,
    server: ServerName = "granian",
) -> None:
    app = preloaded_app(settings)
    workers = workers or default_workers(server)
    if server == "gunicorn":
        _run_gunicorn(app, host, port, workers, threads)
    else:
        _run_granian(app, host, port, workers, threads)


def _run_granian(app: Flask, host: str, port: int, workers: int, threads: int) -> None:
    from granian import Granian
    from granian.constants import Interfaces, RuntimeModes

    # Workers must fork from this process to share the preloaded application (Python 3.14
    # defaults to forkserver, where granian would spawn fresh interpreters instead).
    multiprocessing.set_start_method("fork", force=True)
    server = Granian(
        "api:create_app",  # a label only: the loader below hands every worker the app
        address=host,
        port=port,
        interface=Interfaces.WSGI,
        workers=workers,
        # One Rust thread for the sockets per process: more only add context switches on a
        # small machine. `threads` Python threads serve requests (BENCHMARKS.md weighs 1 to 3).
        runtime_threads=1,
        runtime_mode=RuntimeModes.st,
        blocking_threads=threads,
        log_access=False,
        workers_kill_timeout=10,
        respawn_failed_workers=True,
    )
    server.serve(target_loader=lambda _target: app)


def _run_gunicorn(app: Flask, host: str, port: int, workers: int, threads: int) -> None:
    from gunicorn.app.base import BaseApplication

    class Gunicorn(BaseApplication):
        def load_config(self) -> None:
            options = {
                "bind": f"{host}:{port}",
                "workers": workers,
                # gthread for more than one thread: a sync worker has one by definition.
                "worker_class": "gthread" if threads > 1 else "sync",
                "threads": threads,
                "preload_app": True,
                "keepalive": 5,
                "accesslog": None,
                "graceful_timeout": 10,
                # A sync worker is killed when one request runs longer: a bulk-export file
                # (50,000 resources, about 100 MB) takes seconds locally, a minute on a slow link.
                "timeout": 120,
            }
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Flask:
            return app

    Gunicorn().run()
