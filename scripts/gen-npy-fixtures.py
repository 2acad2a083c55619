#!/usr/bin/env python3
"""Writes .npy fixtures with real NumPy for test/unit/npy/npy.test.ts.

Usage:
  gen-npy-fixtures.py OUTDIR
      Writes OUTDIR/*.npy and OUTDIR/manifest.json:
        {"numpy": version,
         "good": [{file, dtype, descr, shape, fortran_order, version, data}],
         "bad":  [{file, kind}]}
      `data` is the array in C order as numpy.load returns it; bools are 0/1
      and non-finite floats are the strings "nan", "inf", "-inf" (not JSON).
      Every "good" file is checked with numpy.load before it is listed, so the
      expected values are NumPy's own reading, hand-made headers included.

  gen-npy-fixtures.py --check DIR
      Reads DIR/written.json ([{file, dtype, shape, data}], files written by
      the TypeScript writeNpy), loads each with numpy.load, and prints JSON
      {"results": [{file, problems: [...]}]}: dtype, shape and values must
      match, and the bytes must equal what numpy.save writes for that array.

Exits 3 with an install hint when numpy is missing.
"""
import io
import json
import os
import sys
import warnings

try:
    import numpy as np
    from numpy.lib import format as npformat
except ImportError:
    sys.stderr.write(
        "numpy is missing for %s: apt-get install python3-numpy (or pip install numpy)\n"
        % sys.executable
    )
    sys.exit(3)

SAFE = 2**53 - 1

# The Python 2 style header ("3L") is deliberate; don't warn about it.
warnings.filterwarnings("ignore", message=".*created on Python 2")

INT_DTYPES = ["i1", "u1", "i2", "u2", "i4", "u4", "i8", "u8"]
FLOAT_DTYPES = ["f2", "f4", "f8"]
SHAPES_C = [(), (7,), (0,), (3, 4), (3, 0), (2, 3, 4), (2, 1, 3, 2)]
SHAPES_F = [(3, 4), (2, 3, 4), (2, 1, 3, 2)]


def encode(values):
    """JSON-safe list: bools as 0/1, NaN/Inf as strings."""
    out = []
    for v in values:
        if isinstance(v, bool):
            out.append(int(v))
        elif isinstance(v, float) and v != v:
            out.append("nan")
        elif isinstance(v, float) and v in (float("inf"), float("-inf")):
            out.append("inf" if v > 0 else "-inf")
        else:
            out.append(v)
    return out


def make_values(dt, shape, rng):
    """Deterministic values for dtype `dt`, including its extremes."""
    n = int(np.prod(shape))
    if dt.kind == "b":
        return rng.integers(0, 2, n).astype(bool)
    if dt.kind in "iu":
        info = np.iinfo(dt)
        lo, hi = max(int(info.min), -SAFE), min(int(info.max), SAFE)
        v = rng.integers(lo, hi, n, endpoint=True, dtype=np.int64)
        v = v.astype(dt.newbyteorder("="))
        if n >= 2:
            v[0], v[-1] = lo, hi
        return v
    v = (rng.standard_normal(n) * 100).astype(dt.newbyteorder("="))
    if n >= 2:
        specials = [np.nan, np.inf, -np.inf, -0.0, 0.0, 0.1, 1 / 3,
                    np.finfo(dt).tiny, np.finfo(dt).tiny / 4, np.finfo(dt).max, np.finfo(dt).min]
        k = min(n, len(specials))
        v[:k] = np.array(specials[:k], dtype=v.dtype)
    return v


def save(outdir, name, arr, version=None):
    path = os.path.join(outdir, name)
    with open(path, "wb") as f:
        npformat.write_array(f, arr, version=version)
    return path


def record(manifest, outdir, name):
    """Loads `name` back with numpy and lists it with what numpy read."""
    path = os.path.join(outdir, name)
    with open(path, "rb") as f:
        version = npformat.read_magic(f)
        # There is no public 3.0 reader; 3.0 differs from 2.0 only in allowing
        # UTF-8, which in a plain array's header can only sit in a comment.
        read = npformat.read_array_header_1_0 if version == (1, 0) else npformat.read_array_header_2_0
        shape, fortran, dtype = read(f)
    arr = np.load(path)
    manifest["good"].append({
        "file": name,
        "dtype": "bool" if arr.dtype.kind == "b" else arr.dtype.name,
        "descr": dtype.str,
        "shape": list(arr.shape),
        "fortran_order": bool(fortran),
        "version": list(version),
        "data": encode(arr.flatten(order="C").tolist()),
    })


def handmade(outdir, name, header, data, version=(1, 0), align=64):
    """A file with a literal header text, as other writers (or old NumPy) make."""
    hb = header.encode("utf-8" if version == (3, 0) else "latin1")
    lenlen = 2 if version == (1, 0) else 4
    pad = -(8 + lenlen + len(hb) + 1) % align
    hb += b" " * pad + b"\n"
    with open(os.path.join(outdir, name), "wb") as f:
        f.write(b"\x93NUMPY" + bytes(version) + len(hb).to_bytes(lenlen, "little") + hb + data)


def generate(outdir):
    os.makedirs(outdir, exist_ok=True)
    rng = np.random.default_rng(20240601)
    manifest = {"numpy": np.__version__, "good": [], "bad": []}

    # Every dtype x byte order x shape, C order; 2-D+ shapes also in Fortran order.
    for code in ["b1"] + INT_DTYPES + FLOAT_DTYPES:
        orders = ["|"] if code.endswith("1") else ["<", ">"]
        for order in orders:
            dt = np.dtype(order + code if order != "|" else code)
            for fortran, shapes in ((False, SHAPES_C), (True, SHAPES_F)):
                for shape in shapes:
                    v = make_values(dt, shape, rng).reshape(shape).astype(dt)
                    if fortran:
                        v = np.asfortranarray(v)
                    tag = {"<": "le", ">": "be", "|": "na"}[order]
                    dims = "x".join(map(str, shape)) or "scalar"
                    name = "%s_%s_%s_%s.npy" % (code, tag, "F" if fortran else "C", dims)
                    save(outdir, name, v)
                    record(manifest, outdir, name)

    # Format versions 2.0 and 3.0 (NumPy picks them only for huge or UTF-8 headers).
    for version in [(2, 0), (3, 0)]:
        for code in ["<i4", ">f8", "|u1"]:
            v = np.asfortranarray(make_values(np.dtype(code), (3, 5), rng).reshape(3, 5).astype(code))
            name = "v%d_%s.npy" % (version[0], code.replace("<", "le_").replace(">", "be_").replace("|", "na_"))
            save(outdir, name, v, version=version)
            record(manifest, outdir, name)

    # Hand-made headers that numpy.load accepts.
    i2 = np.array([1, -2, 3, 400, -500, 6], dtype="<i2").tobytes()
    hand = [
        ("hand_native_order.npy", "{'descr': '=i2', 'fortran_order': False, 'shape': (6,), }", i2, {}),
        ("hand_no_order_char.npy", "{'descr': 'i2', 'fortran_order': False, 'shape': (2, 3), }", i2, {}),
        ("hand_char_code.npy", "{'descr': '<h', 'fortran_order': False, 'shape': (6,), }", i2, {}),
        ("hand_bool_question.npy", "{'descr': '|?', 'fortran_order': False, 'shape': (3,), }", b"\x01\x00\x07", {}),
        ("hand_py2_long_dq_keys.npy", '{"shape": (2L, 3L), "fortran_order": True, "descr": "<i2"}', i2, {}),
        ("hand_spacing.npy", "{ 'descr' :'<i2' ,\n 'shape':( 3 , 2 ),'fortran_order' : False }", i2, {}),
        ("hand_fortran_1d.npy", "{'descr': '<i2', 'fortran_order': True, 'shape': (6,), }", i2, {}),
        ("hand_fortran_0d.npy", "{'descr': '>i4', 'fortran_order': True, 'shape': (), }", b"\x00\x01\x00\x02", {}),
        ("hand_align16.npy", "{'descr': '<i2', 'fortran_order': False, 'shape': (6,), }", i2, {"align": 16}),
        ("hand_trailing_bytes.npy", "{'descr': '<i2', 'fortran_order': False, 'shape': (5,), }", i2, {}),
        ("hand_v3_utf8.npy", "{'descr': '<i2', 'fortran_order': False, 'shape': (6,), } # \u00e9\u2713", i2,
         {"version": (3, 0)}),
    ]
    for name, header, data, kw in hand:
        handmade(outdir, name, header, data, **kw)
        record(manifest, outdir, name)

    # Files the reader must refuse, each with a clear message.
    def bad(name, kind):
        manifest["bad"].append({"file": name, "kind": kind})

    save(outdir, "bad_complex64.npy", np.array([1 + 2j, 3], dtype="<c8")); bad("bad_complex64.npy", "complex64")
    save(outdir, "bad_complex128.npy", np.array([1 + 2j], dtype=">c16")); bad("bad_complex128.npy", "complex128")
    save(outdir, "bad_object.npy", np.array([1, "a", None], dtype=object)); bad("bad_object.npy", "object")
    save(outdir, "bad_structured.npy", np.zeros(3, dtype=[("w", "<i4"), ("b", "<f4")])); bad("bad_structured.npy", "structured")
    save(outdir, "bad_unicode.npy", np.array(["ab", "c"])); bad("bad_unicode.npy", "unicode")
    save(outdir, "bad_bytes.npy", np.array([b"ab", b"c"])); bad("bad_bytes.npy", "bytes")
    save(outdir, "bad_datetime.npy", np.array(["2024-01-01"], dtype="<M8[D]")); bad("bad_datetime.npy", "datetime")
    save(outdir, "bad_longdouble.npy", np.array([1.5], dtype=np.longdouble)); bad("bad_longdouble.npy", "longdouble")
    save(outdir, "bad_int64_unsafe.npy", np.array([[1, 2], [3, 2**53]], dtype="<i8")); bad("bad_int64_unsafe.npy", "unsafe-int64")
    save(outdir, "bad_uint64_max.npy", np.array([2**64 - 1], dtype=">u8")); bad("bad_uint64_max.npy", "unsafe-uint64")
    with open(os.path.join(outdir, "bad_truncated.npy"), "wb") as f:
        full = io.BytesIO()
        np.save(full, np.arange(1024, dtype="<i4"))
        f.write(full.getvalue()[: -24 * 4])  # 1000 of 1024 elements left
    bad("bad_truncated.npy", "truncated")
    handmade(outdir, "bad_missing_key.npy", "{'descr': '<i2', 'shape': (6,)}", i2); bad("bad_missing_key.npy", "missing-key")
    handmade(outdir, "bad_version4.npy", "{'descr': '<i2', 'fortran_order': False, 'shape': (6,)}", i2, version=(4, 0))
    bad("bad_version4.npy", "version")

    with open(os.path.join(outdir, "manifest.json"), "w") as f:
        json.dump(manifest, f)


def decode(values):
    return [float(v) if isinstance(v, str) else v for v in values]


def check(directory):
    """Checks the files that the TypeScript writer wrote."""
    with open(os.path.join(directory, "written.json")) as f:
        written = json.load(f)
    results = []
    for w in written:
        problems = []
        path = os.path.join(directory, w["file"])
        try:
            arr = np.load(path)
            want = np.array(decode(w["data"]), dtype=np.dtype(w["dtype"]).newbyteorder("<")).reshape(w["shape"])
            if arr.dtype != want.dtype:
                problems.append("dtype %s, expected %s" % (arr.dtype.str, want.dtype.str))
            if list(arr.shape) != list(w["shape"]):
                problems.append("shape %s, expected %s" % (arr.shape, w["shape"]))
            elif arr.tobytes() != want.tobytes():
                problems.append("values %s, expected %s" % (arr.tolist()[:20], want.tolist()[:20]))
            ref = io.BytesIO()
            np.save(ref, want)
            with open(path, "rb") as f:
                if f.read() != ref.getvalue():
                    problems.append("bytes differ from numpy.save's: %r" % ref.getvalue()[:128])
        except Exception as e:  # report, don't crash: the test shows it
            problems.append("numpy.load failed: %r" % e)
        results.append({"file": w["file"], "problems": problems})
    print(json.dumps({"numpy": np.__version__, "results": results}))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--check":
        check(sys.argv[2])
    elif len(sys.argv) == 2 and not sys.argv[1].startswith("-"):
        generate(sys.argv[1])
    else:
        sys.stderr.write(__doc__)
        sys.exit(2)
