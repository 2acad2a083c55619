"""The `random, seed=s` weight generator of the .qnn language, in Python.

`weights=i2(random, seed=5)` in a .qnn file draws its values with this generator
(splitmix32 seeding + xoshiro128**, rejection sampling; specified in
server/src/weights/random.ts, which holds the same reference code). The example
scripts use it to compute, from the very weights the compiler will use, per-channel
thresholds that keep the activations balanced. Pure Python: no numpy needed here.
"""
M = 0xFFFFFFFF


def _rotl(x, k):
    return ((x << k) | (x >> (32 - k))) & M


class SeededRandom:
    def __init__(self, seed):
        if not (0 <= seed <= M):
            raise ValueError("seed must be in 0 .. 2^32 - 1")
        x, s = seed, []
        for _ in range(4):
            x = (x + 0x9E3779B9) & M
            z = ((x ^ (x >> 16)) * 0x85EBCA6B) & M
            z = ((z ^ (z >> 13)) * 0xC2B2AE35) & M
            s.append(z ^ (z >> 16))
        self.s = s

    def next_u32(self):
        s = self.s
        r = (_rotl((s[1] * 5) & M, 7) * 9) & M
        t = (s[1] << 9) & M
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = _rotl(s[3], 11)
        return r

    def int_in_range(self, lo, hi):
        n = hi - lo + 1
        limit = (2**32 // n) * n
        while True:
            u = self.next_u32()
            if u < limit:
                return lo + u % n


def type_values(t):
    """Every value of a weight type, ascending: 'i2', 'u4', 'bipolar', 'pow2<3>'."""
    if t == "bipolar":
        return [-1, 1]
    if t.startswith("pow2<"):
        n = int(t[5:-1])
        mags = [2**e for e in range(2 ** (n - 1) - 1)]
        return [-m for m in reversed(mags)] + [0] + mags
    bits = int(t[1:])
    if t[0] == "i":
        return list(range(-(2 ** (bits - 1)), 2 ** (bits - 1)))
    return list(range(0, 2**bits))


def random_weights(t, seed, shape):
    """The values of `t(random, seed=seed)` for a layer whose PyTorch-layout weight
    shape is `shape`, as a flat list in C order (reshape with numpy if wanted)."""
    values = type_values(t)
    count = 1
    for d in shape:
        count *= d
    rng = SeededRandom(seed)
    hi = len(values) - 1
    return [values[rng.int_in_range(0, hi)] for _ in range(count)]


if __name__ == "__main__":
    # The golden values of test/unit/random.test.ts: randomValues(3, 16, -8, 7).
    r = SeededRandom(3)
    got = [r.int_in_range(-8, 7) for _ in range(16)]
    assert got == [-1, 1, -3, 3, 2, 4, 5, 1, 3, -7, 6, -4, 0, -7, 2, 0], got
    print("ok", got)
