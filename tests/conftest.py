"""Test-wide settings: results computed by tests never enter the checkout's results cache."""

import pytest


@pytest.fixture(autouse=True)
def _private_results_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("MDREPRO_RESULTS_DIR", str(tmp_path_factory.mktemp("results")))
