"""Tests of tremorlab.vision.augment: the paper's ranges and each transform's definition."""

from __future__ import annotations

import numpy as np
import pytest

from tremorlab.vision import augment as au


def test_sampled_parameters_stay_in_the_papers_ranges():
    aug = au.PaperAugment()
    rng = np.random.default_rng(0)
    draws = [aug.sample(rng) for _ in range(3000)]
    rot = np.array([d["rotate_deg"] for d in draws])
    assert rot.min() >= -25 and rot.max() <= 25 and rot.min() < -24 and rot.max() > 24
    for key, lo, hi in (("scale", 0.8, 1.2), ("contrast", 0.75, 1.5), ("brightness", 0.8, 1.2),
                        ("blur_sigma", 0.0, 3.0), ("noise_sd", 0.0, 0.05 * 255)):
        v = np.array([d[key] for d in draws])
        assert v.min() >= lo and v.max() <= hi, key
        assert v.min() < lo + 0.02 * (hi - lo) and v.max() > hi - 0.02 * (hi - lo), key
    crop = np.array([d["crop"] for d in draws])
    assert crop.min() >= 0 and crop.max() <= 0.10
    assert 0.45 < np.mean([d["hflip"] for d in draws]) < 0.55 and 0.45 < np.mean([d["vflip"] for d in draws]) < 0.55


def _identity(**kw):
    p = {"hflip": False, "vflip": False, "rotate_deg": 0.0, "scale": 1.0, "crop": (0, 0, 0, 0), "blur_sigma": 0.0,
         "contrast": 1.0, "brightness": 1.0, "noise_sd": 0.0}
    p.update(kw)
    return p


def test_identity_parameters_leave_the_image_alone():
    img = np.random.default_rng(1).integers(0, 256, (33, 33, 3), dtype=np.uint8)
    out = au.apply(img, _identity(), np.random.default_rng(0))
    np.testing.assert_array_equal(out, img)


def test_rotation_moves_a_dot_where_the_rotation_matrix_says():
    img = np.zeros((65, 65, 3), np.uint8)
    img[32, 52] = 255                       # 20 px right of the centre (32, 32)
    out = au.affine(img, 90.0, 1.0, fill=(0, 0, 0))
    y, x = np.unravel_index(out[..., 0].argmax(), out.shape[:2])
    assert (y, x) == (12, 32)               # counter-clockwise on screen: right -> up
    out = au.affine(img, 0.0, 1.2, fill=(0, 0, 0))
    y, x = np.unravel_index(out[..., 0].argmax(), out.shape[:2])
    assert (y, x) == (32, 56)               # scale 1.2 about the centre: 20 -> 24 px


def test_flips_contrast_brightness_by_hand():
    img = np.zeros((4, 6, 3), np.uint8)
    img[0, 0] = 200
    out = au.apply(img, _identity(hflip=True, vflip=True), np.random.default_rng(0))
    assert out[3, 5, 0] == 200
    flat = np.full((8, 8, 3), 100, np.uint8)
    out = au.apply(flat, _identity(contrast=1.5), np.random.default_rng(0))
    assert np.all(out == 86)                # 128 + 1.5 (100 - 128) = 86
    out = au.apply(flat, _identity(contrast=1.5, brightness=1.2), np.random.default_rng(0))
    assert np.all(out == 103)               # 86 * 1.2 = 103.2 -> 103
    out = au.apply(np.full((8, 8, 3), 250, np.uint8), _identity(brightness=1.2), np.random.default_rng(0))
    assert np.all(out == 255)               # clipped


def test_crop_keeps_the_size_and_zooms_in():
    img = np.zeros((100, 100, 3), np.uint8)
    img[:, 50:] = 255                       # left half black, right half white
    out = au.crop_keep_size(img, (0, 0, 0, 0.10))   # cut 10 % on the left
    assert out.shape == img.shape
    edge = np.argmax(out[50, :, 0] > 127)
    assert edge == pytest.approx((50 - 10) / 90 * 100, abs=1.5)


def test_noise_has_the_drawn_standard_deviation():
    flat = np.full((200, 200, 3), 128, np.uint8)
    out = au.apply(flat, _identity(noise_sd=10.0), np.random.default_rng(0)).astype(float)
    assert out.std() == pytest.approx(10.0, rel=0.03) and out.mean() == pytest.approx(128, abs=0.2)


def test_balance_fills_every_class_with_augmented_copies_only():
    rng = np.random.default_rng(0)
    imgs = rng.integers(0, 256, (23, 16, 16, 3), dtype=np.uint8)
    labels = np.array([0] * 10 + [1] * 3 + [2] * 10)
    new, lab, src, aug = au.balance_classes(imgs, labels, 8, seed=0)
    assert np.bincount(lab).tolist() == [8, 8, 8]
    assert not aug[lab == 0].any() and not aug[lab == 2].any()          # subsampled, not augmented
    assert aug[lab == 1].sum() == 5 and set(src[lab == 1]) == {10, 11, 12}
    np.testing.assert_array_equal(new[~aug], imgs[src[~aug]])
    assert all(not np.array_equal(new[k], imgs[src[k]]) for k in np.flatnonzero(aug))
    assert np.all(labels[src] == lab)
