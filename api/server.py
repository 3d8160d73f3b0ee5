"""gunicorn as a library: the production server behind `annuaire serve`."""

from __future__ import annotations

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
        from api import create_app

        return create_app(self.settings)


def run_server(settings: Settings, host: str, port: int, workers: int) -> None:
    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "sync",
        "keepalive": 5,
        "accesslog": None,
        "graceful_timeout": 10,
    }
    _Server(settings, options).run()
