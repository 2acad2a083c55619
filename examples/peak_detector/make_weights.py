#!/usr/bin/env python3
"""Writes the peak detector's 4-bit conv weights (weights/c1.npy, weights/c2.npy).

The kernels are hand-designed rather than trained, so that the network does what its
name says: c1 holds matched filters for peaks of several widths plus edge detectors,
c2 combines them; values are int8 arrays in the PyTorch layout [Cout, Cin, K].
Run from this folder: python3 make_weights.py
"""
import os
import numpy as np

rng = np.random.default_rng(2023)
os.makedirs("weights", exist_ok=True)

# c1: 16 filters over 1 channel, kernel 5, values in i4 (-8..7).
bases = np.array([
    [-2, -1, 6, -1, -2],   # narrow peak
    [-3, 2, 3, 2, -3],     # wide peak
    [-1, -1, -1, -1, 4],   # right edge
    [4, -1, -1, -1, -1],   # left edge
], dtype=np.int8)
c1 = np.concatenate([bases, -bases, np.clip(bases * 2, -8, 7), rng.integers(-8, 8, size=(4, 5))]).astype(np.int8)
np.save("weights/c1.npy", c1.reshape(16, 1, 5))

# c2: 16 filters over 16 channels, kernel 5: a smoothing of each detector plus mixing.
c2 = rng.integers(-2, 3, size=(16, 16, 5)).astype(np.int8)
for f in range(16):
    c2[f, f, :] = [1, 2, 4, 2, 1]
np.save("weights/c2.npy", c2)
print("wrote weights/c1.npy", c1.shape, "and weights/c2.npy", c2.shape)
