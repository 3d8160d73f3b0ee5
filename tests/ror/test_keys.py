"""`annuaire keys create|list|revoke` and key verification, on real PostgreSQL: the key is
printed once as the last word, stored as its SHA-256 digest only, listed without it, and
refused once revoked."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Engine, text

from api.cli import main
from directory.access import keys


@pytest.fixture
def annuaire(clean_db: str, tmp_path: Path):  # noqa: ANN201
    """`annuaire ARGS…` on the test database."""
    env = {"ANNUAIRE_DATABASE_URL": clean_db, "ANNUAIRE_HOME": str(tmp_path / "home")}

    def _annuaire(*args: str) -> Result:
        return CliRunner().invoke(main, list(args), env=env)

    return _annuaire


def created_key(result: Result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout.split()[-1]


def test_create_prints_the_key_last_and_stores_only_its_digest(
    annuaire,
    engine: Engine,  # noqa: ANN001
) -> None:
    result = annuaire(
        "keys", "create", "--name", "chu-bedmgmt", "--scope", "capacity:write",
        "--finess", "750000001,750000002",
    )  # fmt: skip
    key = created_key(result)
    assert key.startswith("ann_") and len(key) > 40
    assert "750000001, 750000002" in result.stdout
    with engine.connect() as conn:
        row = conn.execute(text("SELECT * FROM api_key")).mappings().one()
    assert row["name"] == "chu-bedmgmt"
    assert row["key_hash"] == hashlib.sha256(key.encode()).hexdigest()
    assert key not in str(dict(row))
    assert row["scopes"] == ["capacity:write"]
    assert row["finess"] == ["750000001", "750000002"]
    with engine.connect() as conn:
        grant = keys.verify(conn, key)
    assert grant == keys.Grant(
        "chu-bedmgmt", frozenset({"capacity:write"}), frozenset({"750000001", "750000002"})
    )


def test_two_keys_are_different(annuaire) -> None:  # noqa: ANN001
    first = created_key(annuaire("keys", "create", "--name", "a", "--finess", "750000001"))
    second = created_key(annuaire("keys", "create", "--name", "b", "--finess", "750000001"))
    assert first != second


def test_list_shows_everything_but_the_key(annuaire, engine: Engine) -> None:  # noqa: ANN001
    assert annuaire("keys", "list").stdout.startswith("no keys yet")
    key = created_key(annuaire("keys", "create", "--name", "chu-bedmgmt", "--finess", "2A0000011"))
    created_key(annuaire("keys", "create", "--name", "other", "--finess", "330000001"))
    with engine.connect() as conn:
        keys.verify(conn, key)  # sets last used
    listed = annuaire("keys", "list")
    assert listed.exit_code == 0
    lines = listed.stdout.splitlines()
    assert lines[0].split() == [
        "name", "scopes", "created", "(UTC)", "revoked", "(UTC)", "last", "used", "(UTC)", "FINESS",
    ]  # fmt: skip
    first = lines[1].split()
    assert first[0:2] == ["chu-bedmgmt", "capacity:write"]
    assert first[4] == "-"  # not revoked
    assert first[-1] == "2A0000011"
    assert lines[2].split()[-2] == "-"  # other: never used
    assert key not in listed.stdout


def test_revoke_refuses_the_key_from_then_on(annuaire, engine: Engine) -> None:  # noqa: ANN001
    key = created_key(annuaire("keys", "create", "--name", "gone", "--finess", "750000001"))
    revoked = annuaire("keys", "revoke", "gone")
    assert revoked.exit_code == 0
    assert revoked.stdout == "key gone revoked\n"
    with engine.connect() as conn, pytest.raises(keys.KeyRefused, match="revoked") as refused:
        keys.verify(conn, key)
    assert refused.value.name == "gone"
    assert annuaire("keys", "list").stdout.splitlines()[1].split()[4] != "-"
    again = annuaire("keys", "revoke", "gone")
    assert (again.exit_code, again.stderr) == (1, "error: the key 'gone' is revoked already\n")


def test_an_unknown_key_is_refused(engine: Engine, clean_db: str) -> None:
    with engine.connect() as conn, pytest.raises(keys.KeyRefused, match="unknown") as refused:
        keys.verify(conn, "ann_never-issued")
    assert refused.value.name is None


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("--name", "x", "--finess", "75000001"), "error: FINESS 75000001: expected establishment"),
        (("--name", "x", "--finess", ","), "error: FINESS (none): expected"),
        (
            ("--name", "x", "--scope", "capacity:admin", "--finess", "750000001"),
            "error: scope capacity:admin: expected capacity:write",
        ),
        (("--name", "bad name", "--finess", "750000001"), "error: name 'bad name': letters"),
    ],
)
def test_create_refuses_bad_input_in_one_line(annuaire, args: tuple, error: str) -> None:  # noqa: ANN001
    result = annuaire("keys", "create", *args)
    assert result.exit_code == 1
    assert result.stderr.startswith(error)
    assert len(result.stderr.splitlines()) == 1


def test_names_are_unique_and_revoke_needs_a_known_name(annuaire) -> None:  # noqa: ANN001
    created_key(annuaire("keys", "create", "--name", "twice", "--finess", "750000001"))
    again = annuaire("keys", "create", "--name", "twice", "--finess", "750000001")
    assert (again.exit_code, again.stderr) == (1, "error: a key named 'twice' exists already\n")
    unknown = annuaire("keys", "revoke", "nobody")
    assert (unknown.exit_code, unknown.stderr) == (1, "error: no key named 'nobody'\n")
