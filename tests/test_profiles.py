"""mdrepro.profiles: the paper's protocol and ci as overrides."""

import pytest

from mdrepro.errors import DataError, UnknownNameError
from mdrepro.profiles import by_profile, derive, flat_keys


def test_derive_merges_nested_dicts_and_copies():
    paper = {"epochs": 100, "sizes": {"adk": 10, "smd": 20}, "lst": [1, 2]}
    ci = derive(paper, {"sizes": {"adk": 2}})
    assert ci == {"epochs": 100, "sizes": {"adk": 2, "smd": 20}, "lst": [1, 2]}
    ci["lst"].append(3)
    assert paper["lst"] == [1, 2] and paper["sizes"]["adk"] == 10


def test_an_override_of_an_unknown_key_is_refused():
    with pytest.raises(DataError, match="found 'epoch'"):
        derive({"epochs": 1}, {"epoch": 2})


def test_by_profile():
    assert by_profile({"a": 1}, {"a": 2}, "paper") == {"a": 1}
    assert by_profile({"a": 1}, {"a": 2}, "ci") == {"a": 2}
    with pytest.raises(UnknownNameError):
        by_profile({"a": 1}, {}, "huge")


def test_flat_keys():
    assert flat_keys({"a": 1, "fw": {"lag": 2}}) == ["a", "fw", "fw.lag"]
