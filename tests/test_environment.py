"""environment.yml (conda route) and pyproject.toml list the same pinned packages."""

import re
from pathlib import Path

import tomllib
import yaml

ROOT = Path(__file__).resolve().parents[1]


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pyproject_pins() -> dict[str, str]:
    doc = tomllib.loads((ROOT / "pyproject.toml").read_text())
    reqs = list(doc["project"]["dependencies"]) + list(
        doc["project"]["optional-dependencies"]["test"]
    )
    pins = {}
    for r in reqs:
        spec, _, marker = r.partition(";")
        if marker and "< '3.11'" in marker:  # the conda environment is Python 3.11
            continue
        name, _, version = spec.strip().partition("==")
        assert version, f"pyproject dependency {r!r} is not pinned with =="
        pins[_norm(name)] = version.strip()
    return pins


def environment_pins() -> dict[str, str]:
    doc = yaml.safe_load((ROOT / "environment.yml").read_text())
    pins = {}
    for dep in doc["dependencies"]:
        if isinstance(dep, dict):
            for r in dep["pip"]:
                name, _, version = r.partition("==")
                pins[_norm(name)] = version
        else:
            name, _, version = dep.partition("=")
            if _norm(name) not in ("python", "pip"):
                pins[_norm(name)] = version
    return pins


def test_environment_matches_pyproject():
    assert environment_pins() == pyproject_pins()


def test_python_version_of_environment_is_supported():
    doc = yaml.safe_load((ROOT / "environment.yml").read_text())
    py = next(d for d in doc["dependencies"] if isinstance(d, str) and d.startswith("python="))
    assert py == "python=3.11"


def test_lock_file_agrees_with_the_pins():
    """requirements.lock pins every package of pyproject.toml at the same version."""
    import re

    lock = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            lock[re.sub(r"[-_.]+", "-", name).lower()] = version
    doc = tomllib.loads((ROOT / "pyproject.toml").read_text())
    deps = doc["project"]["dependencies"] + doc["project"]["optional-dependencies"]["test"]
    for dep in deps:
        spec = dep.split(";")[0].strip()
        if "python_version < '3.11'" in dep or "==" not in spec:
            continue
        name, version = spec.split("==")
        assert lock.get(re.sub(r"[-_.]+", "-", name).lower()) == version, spec
