"""healpy side of bench/healpix.bench.mjs (run with Debian's /usr/bin/python3 and python3-healpy).

A persistent process driven one JSON line at a time on stdin, one JSON line answered on stdout:
  {"cmd": "load", "lonlat": path, "pix": {order: path}, "n": N}  -> {"healpy": version, "numpy": version}
  {"cmd": "check", "order": k}  -> ang2pix mismatches against the given pixels, pix2ang max error (deg)
  {"cmd": "round", "orders": [...], "min_s": s}  -> points/s per order for ang2pix and pix2ang
  {"cmd": "disc", "order": k, "cones": [[lon, lat, r_deg], ...], "min_s": s}
      -> query_disc(nest=True, inclusive=True) cones/s and the total number of cells returned
Timing is inside Python (time.perf_counter) around healpy's vectorised calls on numpy arrays, on
one core (healpy's pixel functions are single-threaded numpy ufuncs).
"""
import json
import sys
import time

import healpy as hp
import numpy as np

state = {}


def timed(fn, n, min_s):
    """points/s over repeated calls of fn (n points each) for at least min_s seconds."""
    calls = 0
    t0 = time.perf_counter()
    while True:
        fn()
        calls += 1
        t = time.perf_counter() - t0
        if t >= min_s:
            return n * calls / t


def main():
    for line in sys.stdin:
        msg = json.loads(line)
        cmd = msg["cmd"]
        if cmd == "load":
            n = msg["n"]
            ll = np.fromfile(msg["lonlat"], dtype="<f8")
            state["lon"] = np.ascontiguousarray(ll[:n])
            state["lat"] = np.ascontiguousarray(ll[n:2 * n])
            state["pix"] = {int(k): np.fromfile(v, dtype="<i8") for k, v in msg["pix"].items()}
            out = {"healpy": hp.__version__, "numpy": np.__version__}
        elif cmd == "check":
            k = msg["order"]
            nside = 1 << k
            pix = hp.ang2pix(nside, state["lon"], state["lat"], nest=True, lonlat=True)
            lon, lat = hp.pix2ang(nside, state["pix"][k], nest=True, lonlat=True)
            ours = msg.get("centres")
            out = {"ang2pixMismatches": int(np.count_nonzero(pix != state["pix"][k]))}
            if ours:
                c = np.fromfile(ours, dtype="<f8")
                m = len(lon)
                d = hp.rotator.angdist([c[:m], c[m:2 * m]], [lon, lat], lonlat=True)
                out["pix2angMaxErrDeg"] = float(np.degrees(d.max()))
        elif cmd == "round":
            lon, lat = state["lon"], state["lat"]
            n = len(lon)
            out = {}
            for k in msg["orders"]:
                nside = 1 << k
                pix = state["pix"][k]
                out[str(k)] = {
                    "ang2pix": timed(lambda: hp.ang2pix(nside, lon, lat, nest=True, lonlat=True), n, msg["min_s"]),
                    "pix2ang": timed(lambda: hp.pix2ang(nside, pix, nest=True, lonlat=True), n, msg["min_s"]),
                }
        elif cmd == "disc":
            nside = 1 << msg["order"]
            cones = [(hp.ang2vec(lon, lat, lonlat=True), np.radians(r)) for lon, lat, r in msg["cones"]]
            cells = sum(len(hp.query_disc(nside, v, r, inclusive=True, nest=True)) for v, r in cones)

            def all_cones():
                for v, r in cones:
                    hp.query_disc(nside, v, r, inclusive=True, nest=True)

            out = {"conesPerS": timed(all_cones, len(cones), msg["min_s"]), "cells": cells}
        else:
            out = {"error": f"unknown command {cmd}"}
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
