#!/usr/bin/env python3
"""Writes the SFC-w1a1 thresholds (weights/t{0,1,2}.npy), deterministically.

The weights of sfc_w1a1.qnn are `bipolar(random, seed=N)`: the compiler draws them
with the language's documented generator. This script draws the very same ±1
matrices with the Python copy of that generator (../common/qnn_random.py), runs
seeded random "scribble" images through them and sets each neuron's threshold to
the median of its accumulator, so every hidden neuron fires (+1) on about half of
the images, as the batch-norm-folded thresholds of a trained BNN roughly do.
The weights are untrained; the thresholds are only plausible, not learnt.

Files: weights/t{0,1,2}.npy  int32 [256, 1] (one threshold per output channel).
Run from anywhere: /usr/bin/python3 make_thresholds.py
"""
import os
import sys
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "common"))
from qnn_random import random_weights  # noqa: E402

OUT = os.path.join(HERE, "weights")
SIZES = [784, 256, 256, 256]
SEEDS = [10, 11, 12]  # must match the seeds in sfc_w1a1.qnn
rng = np.random.default_rng(20170222)


def scribbles(n):
    """n binarized 28x28 images (+1 ink, -1 background): a few random strokes each."""
    imgs = -np.ones((n, 28, 28), dtype=np.int32)
    for i in range(n):
        for _ in range(rng.integers(2, 5)):
            y, x = rng.integers(4, 24, size=2)
            dy, dx = rng.integers(-1, 2, size=2)
            for _ in range(rng.integers(6, 16)):
                imgs[i, max(y - 1, 0):y + 1, max(x - 1, 0):x + 1] = 1
                y = int(np.clip(y + dy + rng.integers(-1, 2), 1, 26))
                x = int(np.clip(x + dx + rng.integers(-1, 2), 1, 26))
    return imgs.reshape(n, 784)


os.makedirs(OUT, exist_ok=True)
x = scribbles(512)
for i, seed in enumerate(SEEDS):
    shape = (SIZES[i + 1], SIZES[i])  # dense weights: [out, in]
    w = np.array(random_weights("bipolar", seed, shape), dtype=np.int32).reshape(shape)
    acc = x @ w.T
    t = np.ceil(np.median(acc, axis=0)).astype(np.int32).reshape(-1, 1)
    np.save(os.path.join(OUT, f"t{i}.npy"), t)
    x = np.where(acc >= t.T, 1, -1)
    print(f"t{i}: {t.shape} in [{t.min()}, {t.max()}], fires {np.mean(x > 0):.2f}")
