#!/usr/bin/env python3
"""Writes the TFC-w1a1 weights and thresholds (weights/*.npy), deterministically.

The network is FINN's TFC-w1a1 topology (784-64-64-64-10, binarized weights and
activations). The weights here are NOT trained: they are seeded random ±1 matrices,
so that the example is self-contained and reproducible. The thresholds are
calibrated on seeded random "scribble" images so that every hidden neuron fires
(+1) on about half of them, as the batch-norm-folded thresholds of a trained BNN
roughly do. To run the real classifier, replace the files with the integer weights
and thresholds exported from Brevitas (same shapes, same dtypes).

Files (PyTorch/ONNX layout, as language.md §4 asks):
  weights/fc{0,1,2,3}.npy   int8 [out, in], values -1/+1 (bipolar)
  weights/t{0,1,2}.npy      int32 [64, 1], one threshold per output channel
Run from this folder: /usr/bin/python3 make_weights.py
"""
import os
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "weights")
SIZES = [784, 64, 64, 64, 10]
rng = np.random.default_rng(20170222)  # FINN's FPGA'17 paper, Feb 2017


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
x = scribbles(512)  # bipolar activations, [frames, 784]
for i in range(4):
    w = rng.choice(np.array([-1, 1], dtype=np.int8), size=(SIZES[i + 1], SIZES[i]))
    np.save(os.path.join(OUT, f"fc{i}.npy"), w)
    acc = x @ w.T.astype(np.int32)  # XNOR-popcount as a ±1 dot product: 2·popcount − MW
    if i == 3:
        break  # the last layer has no activation: its accumulators are the class scores
    # y = +1 iff acc >= T: T = the per-channel median, so each neuron is +1 half the time.
    t = np.ceil(np.median(acc, axis=0)).astype(np.int32).reshape(-1, 1)
    np.save(os.path.join(OUT, f"t{i}.npy"), t)
    x = np.where(acc >= t.T, 1, -1)
    print(f"fc{i}: {w.shape}, t{i}: {t.shape} in [{t.min()}, {t.max()}], fires {np.mean(x > 0):.2f}")
print("wrote", sorted(os.listdir(OUT)))
