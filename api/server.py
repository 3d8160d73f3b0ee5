"""granian as a library: the production server behind `annuaire serve`.

granian parses HTTP in Rust and keeps connections alive, so a request costs the Python
process little more than the application's own work: about twice the requests a second of
gunicorn's sync workers on a 2-core machine, for reads and terminology operations
(BENCHMARKS.md)."""

from __future__ import annotations

import gc
import multiprocessing
import socket

from flask import Flask
from granian import Granian
from granian.constants import Interfaces, RuntimeModes

from annuaire.settings import Settings


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


def run_server(settings: Settings, host: str, port: int, workers: int, threads: int) -> None:
    app = preloaded_app(settings)
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
