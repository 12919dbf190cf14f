"""Forecasting windows: shapes, history/lead bookkeeping, layouts, splits without leakage."""

import numpy as np
import pytest
import torch

from mdrepro.models import (
    Scaler,
    build_splits,
    frames_from_rows,
    make_windows,
    split_bounds,
    window_origins,
)


def counter(T, N=3, offset=0.0):
    """x[t, i, c] = t + offset + i / 100 + c / 1000: every value names its frame."""
    t = np.arange(T, dtype=np.float64)[:, None, None] + offset
    return t + np.arange(N)[None, :, None] / 100 + np.arange(3)[None, None, :] / 1000


def frame_of(v):
    return np.rint(np.asarray(v)).astype(int)  # the fraction (< 0.1) names atom and axis


@pytest.mark.parametrize(
    ("layout", "shape_in", "shape_out"),
    [
        ("kirchhoff", (23 * 4, 5, 3), (23 * 4, 3)),
        ("whole", (23, 5, 12), (23, 12)),
    ],
)
def test_make_windows_shapes(layout, shape_in, shape_out):
    x = counter(30, N=4)
    xi, yi = make_windows(x, history=5, lead=3, layout=layout)
    assert xi.shape == shape_in and yi.shape == shape_out  # 30 - 5 - 3 + 1 = 23 windows


@pytest.mark.parametrize("layout", ["kirchhoff", "whole"])
@pytest.mark.parametrize(("h", "lead"), [(1, 1), (5, 15), (10, 7)])
def test_target_minus_last_input_is_the_lead(layout, h, lead):
    x = counter(60, N=3)
    xi, yi = make_windows(x, h, lead, layout=layout)
    last = frame_of(xi[:, -1, 0])
    target = frame_of(yi[:, 0])
    np.testing.assert_array_equal(target - last, lead)
    # inputs are h consecutive frames, oldest first
    np.testing.assert_array_equal(np.diff(frame_of(xi[..., 0]), axis=1), 1)
    assert frame_of(xi[0, 0, 0]) == 0 and last[-1] == 60 - 1 - lead


def test_layout_contents():
    x = counter(20, N=4)
    o = np.array([4, 9, 12])
    k_in, k_out = make_windows(x, 5, 2, "kirchhoff", origins=o)
    w_in, w_out = make_windows(x, 5, 2, "whole", origins=o)
    for w, t in enumerate(o):
        for i in range(4):
            np.testing.assert_array_equal(k_in[w * 4 + i], x[t - 4 : t + 1, i])
            np.testing.assert_array_equal(k_out[w * 4 + i], x[t + 2, i])
        np.testing.assert_array_equal(w_in[w], x[t - 4 : t + 1].reshape(5, 12))
        np.testing.assert_array_equal(w_out[w], x[t + 2].reshape(12))
    np.testing.assert_array_equal(frames_from_rows(k_out, 4, "kirchhoff"), x[o + 2])
    np.testing.assert_array_equal(frames_from_rows(w_out, 4, "whole"), x[o + 2])


def test_window_origins_stay_inside_the_range():
    o = window_origins(100, history=5, lead=10, start=20, stop=60)
    assert o[0] - 5 + 1 == 20 and o[-1] + 10 == 59
    assert window_origins(100, 5, 10, 20, 34).size == 0  # 14 frames < 5 + 10
    assert window_origins(100, 5, 10, 20, 35).size == 1
    np.testing.assert_array_equal(window_origins(100, 5, 10, 20, 60, stride=4), o[::4])


def test_split_bounds():
    assert split_bounds(1000, (0.7, 0.1, 0.2)) == {
        "train": (0, 700),
        "val": (700, 800),
        "test": (800, 1000),
    }
    with pytest.raises(ValueError, match="summing to 1"):
        split_bounds(100, (0.5, 0.1, 0.1))
    with pytest.raises(ValueError, match="three non-negative"):
        split_bounds(100, (0.5, 0.5))


@pytest.mark.parametrize("layout", ["kirchhoff", "whole"])
def test_no_leakage_between_splits(layout):
    copies = [counter(200, N=3, offset=0.0), counter(150, N=3, offset=1000.0)]
    sp = build_splits(copies, history=6, lead=9, layout=layout, fractions=(0.6, 0.2, 0.2))
    raw = np.concatenate(copies)
    for name, d in sp.items():
        idx = d.all_indices()
        x, y = d.batch(idx)
        # standardised values back to nm, then to the frame they came from
        xin = d.scaler.inverse(
            x.numpy().reshape(len(d), -1, 6, 3).transpose(0, 2, 1, 3)
            if layout == "kirchhoff"
            else x.numpy().reshape(len(d), 6, 3, 3)
        )
        yin = d.to_frames_nm(y)
        for w in range(len(d)):
            k = d.copy_index[w]
            lo, hi = split_bounds(len(copies[k]), (0.6, 0.2, 0.2))[name]
            used = frame_of(np.concatenate([xin[w, :, 0, 0], yin[w, :1, 0]]) - 1000.0 * k)
            assert used.min() >= lo and used.max() <= hi - 1, (name, w, used)
            assert used[-1] - used[-2] == 9
        np.testing.assert_allclose(yin, d.truth_nm(), atol=1e-4)
        np.testing.assert_array_equal(d.truth_nm(), raw[d.origins.numpy() + 9])
    # the scaler saw the training frames only
    train = np.concatenate([copies[0][:120], copies[1][:90]])
    axes = (0, 1) if layout == "kirchhoff" else (0,)
    np.testing.assert_allclose(sp["train"].scaler.mean, train.mean(axis=axes))


@pytest.mark.parametrize("layout", ["kirchhoff", "whole"])
def test_lazy_batches_equal_materialised_windows(layout):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(80, 5, 3))
    sp = build_splits([x], 4, 3, layout=layout, fractions=(0.5, 0.2, 0.3))
    d = sp["test"]
    xb, yb = d.batch(d.all_indices())
    z = d.scaler.transform(x)
    xi, yi = make_windows(z, 4, 3, layout, origins=d.origins.numpy())
    np.testing.assert_allclose(xb.numpy(), xi, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(yb.numpy(), yi, rtol=1e-5, atol=1e-5)


def test_train_stride_and_displacement_targets():
    rng = np.random.default_rng(1)
    x = np.cumsum(rng.normal(scale=0.01, size=(120, 4, 3)), axis=0)
    full = build_splits([x], 5, 7, fractions=(0.6, 0.2, 0.2))
    thin = build_splits([x], 5, 7, fractions=(0.6, 0.2, 0.2), train_stride=3)
    np.testing.assert_array_equal(thin["train"].origins, full["train"].origins[::3])
    assert len(thin["test"]) == len(full["test"])
    disp = build_splits([x], 5, 7, fractions=(0.6, 0.2, 0.2), target="displacement")
    d = disp["test"]
    _, y = d.batch(d.all_indices())
    np.testing.assert_allclose(d.to_frames_nm(y), d.truth_nm(), atol=1e-5)
    zeros = torch.zeros_like(y)  # a zero displacement is the static model
    np.testing.assert_allclose(d.to_frames_nm(zeros), d.last_input_nm(), atol=1e-6)


def test_scaler_round_trip():
    x = np.random.default_rng(2).normal(3.0, 2.0, size=(50, 4, 3))
    for layout in ("kirchhoff", "whole"):
        s = Scaler.fit([x], layout)
        np.testing.assert_allclose(s.inverse(s.transform(x)), x)


def test_errors():
    x = counter(30)
    with pytest.raises(ValueError, match="layout"):
        make_windows(x, 2, 2, layout="atoms")
    with pytest.raises(ValueError, match="origins"):
        make_windows(x, 5, 2, origins=[2])
    with pytest.raises(ValueError, match="at least one test window"):
        build_splits([x], 5, 10, fractions=(0.6, 0.2, 0.2))
    with pytest.raises(ValueError, match="target"):
        build_splits([x], 2, 2, target="velocity")
    with pytest.raises(ValueError, match="same number of particles"):
        build_splits([counter(30, N=3), counter(30, N=4)], 2, 2)
    with pytest.raises(ValueError, match="width"):
        frames_from_rows(np.zeros((5, 3)), 2, "kirchhoff")
