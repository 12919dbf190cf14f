"""The command line: listings, and one-line errors for unknown names."""

import subprocess
import sys

import pytest

from mdrepro import cli
from mdrepro.data.registry import names


def run_cli(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "mdrepro.cli", *args], capture_output=True, text=True, env=env
    )


@pytest.mark.parametrize(
    ("args", "kind", "valid"),
    [
        (["data", "build", "nope"], "data set", ", ".join(names())),
        (["data", "verify", "nope"], "data set", ", ".join(names())),
        (["run", "ch99"], "chapter", ", ".join(cli.CHAPTERS)),
        (["run", "ch01", "--profile", "huge"], "profile", "ci, extended, paper"),
        (["data", "build", "ala100-smd", "--profile", "huge"], "profile", "ci, extended, paper"),
        (["run", "ch01", "--device", "tpu"], "device", "auto, cpu, cuda"),
    ],
)
def test_unknown_names_fail_with_one_line(args, kind, valid):
    proc = run_cli(*args)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(f"mdrepro: error: unknown {kind}")
    assert lines[0].endswith(f"valid names: {valid}")


def test_data_list_on_empty_cache(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MDREPRO_DATA_DIR", str(tmp_path))
    assert cli.main(["data", "list"]) == 0
    out = capsys.readouterr().out
    assert "adk-equilibrium" in out and "ala100-smd" in out and str(tmp_path) in out


def test_build_needs_a_name(capsys):
    assert cli.main(["data", "build"]) == 2
    assert "name a data set" in capsys.readouterr().err


def test_parse_value():
    assert cli._parse_value("3") == 3
    assert cli._parse_value("0.5") == 0.5
    assert cli._parse_value("null") is None
    assert cli._parse_value("[a.dcd, b.dcd]") == ["a.dcd", "b.dcd"]
    assert cli._parse_value("name CA") == "name CA"


def test_placeholders_for_chapters_not_executed(tmp_path, monkeypatch):
    monkeypatch.setattr(cli, "EXECUTED", tmp_path)
    ids = list(cli.CHAPTERS)
    first = cli.CHAPTERS[ids[0]]
    (tmp_path / f"{first.stem}.ipynb").write_text("{}")
    (tmp_path / f"{first.stem}.md").write_text("stale placeholder")
    missing = cli.write_placeholders()
    assert missing == ids[1:]
    assert not (tmp_path / f"{first.stem}.md").exists()  # executed: placeholder removed
    for cid in ids[1:]:
        text = (tmp_path / f"{cli.CHAPTERS[cid].stem}.md").read_text()
        assert f"mdrepro run {cid}" in text


def test_book_refuses_when_nothing_was_executed(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(cli, "EXECUTED", tmp_path)
    assert cli.main(["book"]) == 2
    assert "no chapter has been executed" in capsys.readouterr().err
