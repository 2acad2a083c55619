#!/usr/bin/env python3
"""Writes the CNV-w2a2 thresholds (weights/t{0..7}.npy), deterministically.

Every conv and dense layer of cnv_w2a2.qnn has `i2(random, seed=N)` weights, which
the compiler draws with the language's documented generator. This script draws the
very same weights with the Python copy of that generator (../common/qnn_random.py),
runs seeded calibration images through the network (bit-exact integer
arithmetic, channels-last, valid padding, 2x2 max-pool) and sets each channel's three
u2 thresholds to the 25/50/75 % quantiles of its accumulator, so every 2-bit
activation takes all four values. The calibration set is half smooth synthetic
"photos" (coloured blobs on a gradient) and half uniform random u8 frames, the kind
`qnn sim` feeds from the test block, so that both exercise every threshold. That is the role the
batch-norm-folded thresholds of a trained network play; the weights are untrained.

Files: weights/t{0..7}.npy  int32 [C, 3] (3 = 2^2 - 1 ascending thresholds per
output channel) for the eight hidden layers.
Run from anywhere: /usr/bin/python3 make_thresholds.py   (about 10 s)
"""
import os
import sys
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "common"))
from qnn_random import random_weights  # noqa: E402

OUT = os.path.join(HERE, "weights")
# (kind, output channels, seed) in network order; "pool" is a 2x2 max-pool.
# Must match cnv_w2a2.qnn.
LAYERS = [
    ("conv", 64, 20), ("conv", 64, 21), ("pool",),
    ("conv", 128, 22), ("conv", 128, 23), ("pool",),
    ("conv", 256, 24), ("conv", 256, 25),
    ("dense", 512, 26), ("dense", 512, 27),
]
rng = np.random.default_rng(2017)


def images(n):
    """n smooth u8 images [32, 32, 3]: a few coloured Gaussian blobs on a gradient."""
    yy, xx = np.mgrid[0:32, 0:32].astype(np.float64)
    out = np.zeros((n, 32, 32, 3))
    for i in range(n):
        img = rng.uniform(40, 200, size=3) + rng.uniform(-2, 2, size=3) * (yy[..., None] - 16)
        for _ in range(rng.integers(2, 6)):
            cy, cx = rng.uniform(0, 32, size=2)
            r = rng.uniform(3, 10)
            g = np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * r * r))
            img = img + g[..., None] * rng.uniform(-120, 120, size=3)
        out[i] = img + rng.normal(0, 8, size=img.shape)
    return np.clip(np.rint(out), 0, 255).astype(np.int64)


def conv_valid(x, w):
    """x [N, H, W, Cin] channels-last, w [Cout, Cin, 3, 3] (PyTorch) -> [N, H-2, W-2, Cout]."""
    n, h, wd, cin = x.shape
    oh, ow = h - 2, wd - 2
    # im2col, kernel position major, channel minor (the window generator's order).
    cols = np.concatenate([x[:, ky:ky + oh, kx:kx + ow, :] for ky in range(3) for kx in range(3)], axis=3)
    wm = w.transpose(0, 2, 3, 1).reshape(w.shape[0], -1)  # [Cout, (ky, kx, cin)]
    return cols @ wm.T


def maxpool2(x):
    n, h, w, c = x.shape
    return x[:, : h // 2 * 2, : w // 2 * 2].reshape(n, h // 2, 2, w // 2, 2, c).max(axis=(2, 4))


os.makedirs(OUT, exist_ok=True)
x = np.concatenate([images(48), rng.integers(0, 256, size=(48, 32, 32, 3))])
cin = 3
t_index = 0
for layer in LAYERS:
    if layer[0] == "pool":
        x = maxpool2(x)
        continue
    kind, cout, seed = layer
    if kind == "conv":
        shape = (cout, cin, 3, 3)
        w = np.array(random_weights("i2", seed, shape), dtype=np.int64).reshape(shape)
        acc = conv_valid(x, w)
    else:
        x = x.reshape(x.shape[0], -1)  # dense flattens H, W, C row-major
        shape = (cout, x.shape[1])
        w = np.array(random_weights("i2", seed, shape), dtype=np.int64).reshape(shape)
        acc = x @ w.T
    flat = acc.reshape(-1, cout)
    t = np.ceil(np.quantile(flat, [0.25, 0.5, 0.75], axis=0).T).astype(np.int32)  # [C, 3]
    t = np.maximum.accumulate(t, axis=1)  # ascending (ties are allowed)
    np.save(os.path.join(OUT, f"t{t_index}.npy"), t)
    x = (acc[..., None] >= t).sum(axis=-1)  # y = number of thresholds passed, 0..3
    counts = np.bincount(x.ravel(), minlength=4) / x.size
    print(f"t{t_index}: {kind} {shape} -> thresholds {t.shape} in [{t.min()}, {t.max()}], u2 histogram {np.round(counts, 2)}")
    cin = cout
    t_index += 1
