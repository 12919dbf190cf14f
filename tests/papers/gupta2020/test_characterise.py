"""gupta2020 chapter 1: the characterisation unit and its claims on synthetic series whose
answers are known."""

import numpy as np
import pytest

from mdrepro.papers.gupta2020 import claims, study
from mdrepro.papers.gupta2020.study import Characterisation


def ar1(rng, n, shape, phi):
    """AR(1) noise with unit stationary variance, (n, *shape)."""
    x = np.empty((n, *shape))
    x[0] = rng.standard_normal(shape)
    s = np.sqrt(1 - phi**2)
    for t in range(1, n):
        x[t] = phi * x[t - 1] + s * rng.standard_normal(shape)
    return x


def equilibrium_like(seed=0, n=3000, atoms=40, phi=0.98):
    """Particles fluctuating (Gaussian, correlated in time) about fixed positions, nm."""
    rng = np.random.default_rng(seed)
    base = rng.uniform(0, 3, (atoms, 3))
    return [base + 0.02 * ar1(rng, n, (atoms, 3), phi) for _ in range(2)]


def pulled_like(seed=1, n=1500, atoms=40):
    """A chain whose second half is dragged along x (non-Gaussian positions), nm."""
    rng = np.random.default_rng(seed)
    base = np.c_[np.arange(atoms) * 0.15, np.zeros(atoms), np.zeros(atoms)]
    drift = np.zeros((n, atoms, 3))
    ramp = np.linspace(0, 1, n)[:, None]
    frac = np.clip((np.arange(atoms) - atoms / 2) / (atoms / 2), 0, 1)[None, :]
    drift[..., 0] = 3.0 * ramp * frac
    return [base + drift + 0.02 * ar1(rng, n, (atoms, 3), 0.9)]


STEPS = [1, 5, 10, 30, 60, 120]


def test_analyse_set_shapes():
    res = study.characterise_set("adk", equilibrium_like(), 10.0, STEPS, shape="rg")
    assert len(res.rmsd_to_first) == 2 and res.rmsd_to_first[0].shape == (3000,)
    assert res.kurtosis.shape == (40, 3)
    assert list(res.leads) == [10.0, 50.0, 100.0, 300.0, 600.0, 1200.0]
    assert res.leads[10.0].shape == (2 * 2999,)  # copies pooled, never across copies
    assert res.acf[0] == pytest.approx(1.0)
    assert np.isfinite(res.tau_fs) and res.tau_fs > 0


def test_claims_follow_the_data():
    adk = study.characterise_set("adk", equilibrium_like(), 10.0, STEPS, shape="rg")
    smd = study.characterise_set("smd", pulled_like(), 5000.0, STEPS, shape="end_to_end")
    cs = claims.characterise(Characterisation(adk, smd), "ci")
    c = {c.id: c for c in cs.claims}
    # two ADK copies and one SMD pull: too few replicas for a verdict, and it says so
    assert c["ch01.static-error-grows.adk"].verdict == "undecided"
    assert "2 replicas < 3" in c["ch01.static-error-grows.adk"].gate
    assert c["ch01.static-error-grows.adk"].value > 0  # the error does grow in both copies
    assert len(adk.lead_medians_copies[10.0]) == 2 and len(adk.tau_fs_copies) == 2
    three = study.characterise_set("adk", equilibrium_like() * 2, 10.0, STEPS[:3], shape="rg")
    grows = claims.characterise(Characterisation(three, smd), "ci").verdicts(settled=False)
    assert grows["ch01.static-error-grows.adk"] == "reproduced"
    forces = [np.full(100, 1000.0), np.full(100, 1100.0), np.full(100, 900.0)]
    f = claims.characterise(Characterisation(three, smd), "ci", forces=forces).verdicts()
    assert f["ch01.smd-force-1nN"] == "reproduced"


def test_growth_claim_fails_on_memoryless_data():
    # white noise: the static error is the same at every lead, so "grows" must fail
    adk = study.characterise_set("adk", equilibrium_like(phi=0.0), 10.0, STEPS, shape="rg")
    smd = study.characterise_set("smd", pulled_like(), 5000.0, STEPS, shape="end_to_end")
    c = {c.id: c for c in claims.characterise(Characterisation(adk, smd), "ci").claims}
    assert c["ch01.static-error-grows.adk"].value < 0.01  # no growth to speak of


def test_claims_can_fail_when_sets_are_alike():
    a = study.characterise_set("adk", equilibrium_like(0), 10.0, STEPS, shape="rg")
    b = study.characterise_set("smd", equilibrium_like(5), 10.0, STEPS, shape="end_to_end")
    c = {c.id: c for c in claims.characterise(Characterisation(a, b), "ci").claims}
    assert c["ch01.smd-rmsd-10x-adk"].value < 3  # ratio about 1, far outside 3.3-30
    assert c["ch01.smd-decorrelates-100x-slower"].value < 10
    assert c["ch01.smd-kurtosis-classes"].value < 2


def test_unknown_shape():
    with pytest.raises(ValueError, match="expected shape"):
        study.characterise_set("x", equilibrium_like(), 10.0, STEPS, shape="volume")


def test_effective_samples_and_sampling_note():
    adk = study.characterise_set("adk", equilibrium_like(), 10.0, STEPS, shape="rg")
    n = adk.effective_samples()
    assert n == pytest.approx(3000 * 10.0 / (2 * adk.tau_fs))
    smd = study.characterise_set("smd", pulled_like(), 5000.0, STEPS, shape="end_to_end")
    g = claims._kurtosis_gate(adk)
    assert g.value == pytest.approx(min(adk.effective_samples_copies))
    assert (
        g.value == pytest.approx(3000 * 10.0 / (2 * adk.tau_fs_copies[0]), rel=1)
        and g.minimum == 100
    )
    c = {c.id: c for c in claims.characterise(Characterisation(adk, smd), "ci").claims}
    k = c["ch01.adk-kurtosis-uniform"]
    assert (k.gate == "") == g.passed and ("decorrelated samples" in k.gate) != g.passed


def test_leads_longer_than_the_data_are_dropped_and_listed():
    short = [x[:50] for x in equilibrium_like(n=400)]
    res = study.characterise_set("adk", short, 10.0, STEPS, shape="rg")
    assert res.lead_steps == [1, 5, 10, 30] and res.dropped_lead_steps == [60, 120]
    assert list(res.leads) == [10.0, 50.0, 100.0, 300.0]
    both = Characterisation(res, res)
    assert "[60, 120] frames" in both.dropped_leads()


def test_no_lead_fits():
    with pytest.raises(ValueError, match="longer than the shortest lead"):
        study.characterise_set("adk", [equilibrium_like()[0][:3]], 10.0, [5], shape="rg")


def test_result_round_trips_through_a_file(tmp_path):
    from mdrepro import results

    res = study.characterise_set("adk", equilibrium_like(n=600), 10.0, STEPS, shape="rg")
    smd = study.characterise_set("smd", pulled_like(), 5000.0, STEPS, shape="end_to_end")
    back = results.load(results.save(res, tmp_path / "r.npz"))
    assert back.leads.keys() == res.leads.keys()
    np.testing.assert_array_equal(back.kurtosis, res.kurtosis)
    assert back.kurtosis_classes.n_classes == res.kurtosis_classes.n_classes
    a = claims.characterise(Characterisation(res, smd), "ci").to_json()
    b = claims.characterise(Characterisation(back, smd), "ci").to_json()
    assert a == b


def test_short_lead_check_scores_the_authors_way():
    """Pooled root mean square of Eq. 1 at the gaps the authors' code implies (40/120 fs)."""
    from mdrepro.analysis import static_model_rmsd_multi

    copies = [equilibrium_like(seed=s, n=400)[0] for s in range(3)]
    res = study.characterise_set("adk", copies, 10.0, STEPS[:3], shape="rg")
    assert set(res.pooled_rms_copies) == set(study.AUTHORS_GAPS_FS)
    want = np.sqrt(np.mean(static_model_rmsd_multi([copies[0]], 4) ** 2))
    assert res.pooled_rms_copies[40.0][0] == pytest.approx(want)
    smd = study.characterise_set("smd", pulled_like(), 10.0, STEPS[:3], shape="end_to_end")
    c = {c.id: c for c in claims.characterise(Characterisation(res, smd), "ci").claims}
    short = c["ch01.adk-short-lead-rmsd"]
    a40, a120 = (res.pooled_rms_copies[g] for g in (40.0, 120.0))
    geo = [np.sqrt(a * b) * 10 for a, b in zip(a40, a120, strict=True)]
    assert short.value == pytest.approx(np.mean(geo)) and "10 fs frames (README)" in short.note


def test_growth_and_ratio_claims_run_their_nulls_on_the_same_data():
    copies = [equilibrium_like(seed=s, n=400)[0] for s in range(3)]
    adk = study.characterise_set("adk", copies, 10.0, STEPS, shape="rg")
    smd = study.characterise_set("smd", pulled_like(), 10.0, STEPS, shape="end_to_end")
    assert set(adk.shuffled_lead_medians_copies) == set(adk.lead_medians_copies)
    cs = claims.characterise(Characterisation(adk, smd), "ci")
    ctl = {c.id: c for c in cs.controls if c.kind == "negative"}
    # shuffled frames: the error no longer grows with the lead (the smallest of five
    # increments of a flat curve is negative)
    assert ctl["ch01.static-error-grows.adk"].verdict == "not reproduced"
    grows = {c.id: c for c in cs.claims}["ch01.static-error-grows.adk"]
    assert grows.verdict == "reproduced" and "frames in random order" in grows.control
    # equilibrium on both sides: the ratio is about 1, far below the paper's 10
    assert ctl["ch01.smd-rmsd-10x-adk"].verdict == "not reproduced"
    assert ctl["ch01.smd-rmsd-to-first-10x"].value < 2


def test_kurtosis_claims_have_one_sample_per_copy():
    copies = [equilibrium_like(seed=s, n=400)[0] for s in range(3)]
    adk = study.characterise_set("adk", copies, 10.0, STEPS[:3], shape="rg")
    smd = study.characterise_set("smd", pulled_like(), 10.0, STEPS[:3], shape="end_to_end")
    assert len(adk.kurtosis_copies) == 3 and adk.kurtosis_copies[0].shape == (40, 3)
    c = {c.id: c for c in claims.characterise(Characterisation(adk, smd), "ci").claims}
    assert c["ch01.adk-kurtosis-gaussian"].n == 3
    assert c["ch01.smd-majority-non-gaussian"].n == 1  # one pulled copy here
