"""`annuaire serve` as a real process, on each production server: it answers over HTTP (with
connections kept alive by granian), reads request bodies, refuses a port already served, and
stops cleanly on SIGTERM."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from api.server import SERVERS
from tests.api.test_fhir_organization import SMALL


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Served:
    port: int
    process: subprocess.Popen
    command: list[str]  # the `annuaire serve` command line that started it
    env: dict[str, str]

    def connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)


@pytest.fixture(params=SERVERS)
def server(request, load, clean_db: str, tmp_path: Path) -> Iterator[Served]:  # noqa: ANN001
    load(SMALL)
    port = _free_port()
    env = {
        **os.environ,
        "ANNUAIRE_DATABASE_URL": clean_db,
        "ANNUAIRE_HOME": str(tmp_path),
    }
    annuaire = Path(sys.executable).with_name("annuaire")
    command = [str(annuaire), "serve", "--port", str(port), "--workers", "2", "--no-schedule"]
    command += ["--server", request.param]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert process.poll() is None, process.stdout.read().decode()  # type: ignore[union-attr]
            assert time.monotonic() < deadline, "the server did not start in 60 s"
            time.sleep(0.2)
    try:
        yield Served(port, process, command, env)
    finally:
        # SIGTERM, so that the server stops its workers too: killed outright, it would leave
        # them running, forked and orphaned.
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# gunicorn's sync workers close the connection after each request: granian only.
@pytest.mark.parametrize("server", ["granian"], indirect=True)
def test_serve_answers_over_one_kept_alive_connection(server: Served) -> None:
    conn = server.connect()
    conn.request("GET", "/fhir/Organization/010000024")
    response = conn.getresponse()
    assert response.status == 200
    assert response.getheader("Content-Type").startswith("application/fhir+json")
    assert json.loads(response.read())["id"] == "010000024"
    first = conn.sock
    conn.request("GET", "/fhir/Organization?name=zzzznothing")
    response = conn.getresponse()
    assert response.status == 200 and json.loads(response.read())["total"] == 0
    assert conn.sock is first  # the same socket: the server kept the connection open
    conn.close()


def test_serve_reads_request_bodies(server: Served) -> None:
    conn = server.connect()
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    conn.request("POST", "/fhir/Organization/_search", body="_id=010000024", headers=headers)
    response = conn.getresponse()
    bundle = json.loads(response.read())
    assert response.status == 200
    assert [e["resource"]["id"] for e in bundle["entry"]] == ["010000024"]


def test_serve_refuses_a_port_already_served(server: Served) -> None:
    # granian listens with SO_REUSEPORT: without the check, this one would start and take
    # half of the first server's connections.
    second = subprocess.run(
        server.command,
        env=server.env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert second.returncode == 1
    assert f"cannot serve on 127.0.0.1:{server.port}: Address already in use" in second.stderr


def test_serve_stops_on_sigterm(server: Served) -> None:
    server.process.send_signal(signal.SIGTERM)
    assert server.process.wait(20) == 0
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", server.port), timeout=1).close()
