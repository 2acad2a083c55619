#!/usr/bin/env python3
"""Writes pow2_net's weight files, requant scales and test frames, deterministically.

Power-of-two weights after Chen et al. 2020: a float weight w is quantized to
{0, ±1, ±1/2, ±1/4} (w scaled so the layer's largest |w| is 1; |w| < 1/8 becomes 0,
the rest rounds to the nearest power of two in the log domain), then scaled by 4
so that the .npy file holds the integers {0, ±1, ±2, ±4} of `pow2<3>`; the
requantizer after the layer absorbs the factor 4.

  weights/c1.npy   int8 [16, 1, 3, 3]  pow2<3>: hand-made edge/blob filters + seeded
                                       Gaussian ones, quantized as above
  weights/d3.npy   int8 [10, 1152]     pow2<3>: seeded Gaussian, quantized as above
  weights/s2.npy   float32 [32]        per-channel requant scales of r2
  data/strokes.npy uint8 [8, 28, 28, 1] test frames: seeded pen strokes on black

c2's weights are `pow2<4>(random, seed=7)` in the .qnn file; the scales of r1 (in
the .qnn, a single number printed below) and of r2 are calibrated on the strokes
and on uniform random frames so that the u4 activations use their range: the
99th percentile of each channel's accumulator maps to 15. c2's random weights come
from the language's own generator (../common/qnn_random.py), the same values the
compiler uses. Weights are untrained. Run from anywhere: /usr/bin/python3 make_weights.py
"""
import os
import sys
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "common"))
from qnn_random import random_weights  # noqa: E402

rng = np.random.default_rng(2020)  # Chen et al. 2020


def pow2_quantize(w):
    """Chen et al.'s {0, ±2^-i} (i = 0..2) quantizer, times 4: int8 in {0, ±1, ±2, ±4}."""
    w = w / np.max(np.abs(w))
    mag = np.abs(w)
    e = np.clip(np.round(np.log2(np.maximum(mag, 1e-12))), -2, 0)
    q = np.where(mag < 1 / 8, 0.0, np.sign(w) * 2.0**e)
    return (q * 4).astype(np.int8)


def strokes(n):
    """n u8 images [28, 28, 1]: two or three bright pen strokes on black."""
    imgs = np.zeros((n, 28, 28), dtype=np.float64)
    for i in range(n):
        for _ in range(rng.integers(2, 4)):
            y, x = rng.uniform(5, 23, size=2)
            a = rng.uniform(0, 2 * np.pi)
            for _ in range(rng.integers(8, 18)):
                yy, xx = np.mgrid[0:28, 0:28]
                imgs[i] += 255 * np.exp(-((yy - y) ** 2 + (xx - x) ** 2) / 2.0)
                a += rng.uniform(-0.5, 0.5)
                y, x = np.clip(y + np.sin(a), 2, 25), np.clip(x + np.cos(a), 2, 25)
    return np.clip(imgs, 0, 255).astype(np.uint8).reshape(n, 28, 28, 1)


def conv3(x, w, pad):
    """x [N, H, W, Cin] channels-last, w [Cout, Cin, 3, 3] (PyTorch); stride 1."""
    if pad:
        x = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
    n, h, wd, cin = x.shape
    oh, ow = h - 2, wd - 2
    cols = np.concatenate([x[:, ky:ky + oh, kx:kx + ow, :] for ky in range(3) for kx in range(3)], axis=3)
    return cols @ w.transpose(0, 2, 3, 1).reshape(w.shape[0], -1).T


def requant(acc, m, s):
    """language.md §3: clamp(((acc·M + 2^(S-1)) >> S) + 0, 0, 15) with M/2^S ≈ scale."""
    return np.clip((acc * m + (1 << (s - 1))) >> s, 0, 15)


def fixed(scale, mbits=16):
    """M, S as the compiler picks them: the closest M/2^S with M < 2^mbits (smallest S on ties)."""
    best = None
    for s in range(41):
        m = round(scale * 2**s)
        if m >= 2**mbits:
            break
        if m >= 1 and (best is None or abs(m / 2**s - scale) < abs(best[0] / 2**best[1] - scale)):
            best = (m, s)
    return best


def maxpool2(x):
    n, h, w, c = x.shape
    return x.reshape(n, h // 2, 2, w // 2, 2, c).max(axis=(2, 4))


os.makedirs(os.path.join(HERE, "weights"), exist_ok=True)
os.makedirs(os.path.join(HERE, "data"), exist_ok=True)

# c1: 16 filters over 1 channel, 3x3.
hand = np.array([
    [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],    # vertical edge (Sobel)
    [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],    # horizontal edge
    [[0, 1, 2], [-1, 0, 1], [-2, -1, 0]],    # diagonal edge
    [[2, 1, 0], [1, 0, -1], [0, -1, -2]],    # anti-diagonal edge
    [[0, -1, 0], [-1, 4, -1], [0, -1, 0]],   # Laplacian (spot)
    [[1, 2, 1], [2, 4, 2], [1, 2, 1]],       # blur (ink)
    [[-1, 2, -1], [-1, 2, -1], [-1, 2, -1]], # vertical line
    [[-1, -1, -1], [2, 2, 2], [-1, -1, -1]], # horizontal line
], dtype=np.float64)
c1f = np.concatenate([hand, -hand[:4], rng.normal(0, 1, size=(4, 3, 3))])
c1 = np.stack([pow2_quantize(k) for k in c1f]).reshape(16, 1, 3, 3)
np.save(os.path.join(HERE, "weights", "c1.npy"), c1)

# Calibration: the test strokes plus uniform random frames (what `test { seed=… }` feeds).
frames = strokes(8)
np.save(os.path.join(HERE, "data", "strokes.npy"), frames)
x = np.concatenate([frames, rng.integers(0, 256, size=(8, 28, 28, 1))]).astype(np.int64)

acc1 = conv3(x, c1.astype(np.int64), pad=True)
s1 = float(f"{15 / np.percentile(acc1[acc1 > 0], 99):.3g}")
m1, sh1 = fixed(s1)
x = maxpool2(requant(acc1, m1, sh1))

c2 = np.array(random_weights("pow2<4>", 7, (32, 16, 3, 3)), dtype=np.int64).reshape(32, 16, 3, 3)
acc2 = conv3(x, c2, pad=False).reshape(-1, 32)
s2 = np.array([15 / max(np.percentile(acc2[:, c], 99), 1) for c in range(32)], dtype=np.float32)
np.save(os.path.join(HERE, "weights", "s2.npy"), s2)

d3 = pow2_quantize(rng.normal(0, 1, size=(10, 6 * 6 * 32)))
np.save(os.path.join(HERE, "weights", "d3.npy"), d3)

print(f"r1: scale={s1} (M={m1}, S={sh1}); put it in pow2_net.qnn")
print("c1 values", np.unique(c1), "d3 values", np.unique(d3), "s2 range", s2.min(), s2.max())
