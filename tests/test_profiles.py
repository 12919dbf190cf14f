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


def test_extended_is_ci_plus_its_own_overrides_and_only_where_declared():
    paper = {"epochs": 100, "seeds": [0, 1, 2], "sizes": {"adk": 10, "smd": 20}}
    ci = {"epochs": 10, "sizes": {"adk": 2}}
    ext = by_profile(paper, ci, "extended", {"epochs": 40})
    assert ext == {"epochs": 40, "seeds": [0, 1, 2], "sizes": {"adk": 2, "smd": 20}}
    with pytest.raises(DataError, match="extended tier"):
        by_profile(paper, ci, "extended")


def test_chapter_2_alone_has_an_extended_tier_and_it_is_what_the_registry_declares():
    from mdrepro.book import registry
    from mdrepro.papers.gupta2020 import params
    from mdrepro.workflow import chapters_at

    assert chapters_at("extended") == ["ch02"]
    tier = registry.tiers("gupta2020")["extended"]
    assert tier.chapters == ("ch02",) and tier.sizes == params.EXTENDED_FORECAST
    ci, ext = params.resolve("ch02", "ci"), params.resolve("ch02", "extended")
    assert {k for k in ci if ci[k] != ext[k]} == set(params.EXTENDED_FORECAST)


def test_flat_keys():
    assert flat_keys({"a": 1, "fw": {"lag": 2}}) == ["a", "fw", "fw.lag"]
