"""gunicorn as a library: the production server behind `annuaire serve`."""

from __future__ import annotations

import gc

from gunicorn.app.base import BaseApplication

from annuaire.settings import Settings


class _Server(BaseApplication):
    def __init__(self, settings: Settings, options: dict) -> None:
        self.settings = settings
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):  # noqa: ANN201
        """Runs once in the master (preload_app): the workers fork with the terminology
        indexes already built, and open their own database connections."""
        from api import create_app

        app = create_app(self.settings)
        app.extensions["terminology"].warm()
        app.extensions["engine"].dispose()
        # What is loaded now lives as long as the server: keep it out of the garbage
        # collector's full passes (tens of ms over 40,000-concept indexes) and shared
        # copy-on-write by the forked workers.
        gc.freeze()
        return app


def run_server(settings: Settings, host: str, port: int, workers: int) -> None:
    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "sync",
        "preload_app": True,
        "keepalive": 5,
        "accesslog": None,
        "graceful_timeout": 10,
        # A sync worker is killed when one request runs longer: a bulk-export file (50,000
        # resources, about 100 MB) takes seconds locally, up to a minute on a slow link.
        "timeout": 120,
    }
    _Server(settings, options).run()
