"""Drives the TAP service with pyvo (Debian python3-pyvo), a real VO client, for server/tap/vo.test.ts.

Usage: /usr/bin/python3 pyvo_client.py <tap base URL>
Prints one JSON object with what pyvo saw; the test compares it with its own references.
"""
import json
import sys

import pyvo

url = sys.argv[1]
service = pyvo.dal.TAPService(url)
out = {}

# a cone on the catalogue, brightest first
cone = service.run_sync(
    "SELECT TOP 10 hip, ra, dec, mag FROM esasky.hipparcos "
    "WHERE 1 = CONTAINS(POINT('ICRS', ra, dec), CIRCLE('ICRS', 83.8, -5.4, 12)) ORDER BY mag, hip"
)
t = cone.to_table()
out["cone"] = {
    "hip": [int(v) for v in t["hip"]],
    "mag": [float(v) for v in t["mag"]],
    "units": {c: str(t[c].unit) for c in ("ra", "dec", "mag")},
    "status": cone.query_status,
}

# MAXREC cut: pyvo sees the OVERFLOW status
cut = service.run_sync("SELECT hip FROM esasky.hipparcos ORDER BY hip", maxrec=25)
out["maxrec"] = {"rows": len(cut), "status": cut.query_status}

# the table listing (VOSI /tables) and one table's columns
tables = service.tables
out["tables"] = sorted(tables.keys())
obscore = tables["ivoa.ObsCore"]
out["obscore_columns"] = [c.name for c in obscore.columns]

# footprints through ObsCore, BINARY2
obs = service.run_sync(
    "SELECT obs_id, s_ra, s_dec FROM ivoa.ObsCore WHERE 1 = INTERSECTS(s_region, CIRCLE(83.82, -5.39, 0.2))",
    responseformat="votable/b2",
)
out["obs_rows"] = len(obs)

# an async job through UWS
job = service.submit_job("SELECT COUNT(*) AS n FROM esasky.messier")
job.run()
job.wait(phases=["COMPLETED", "ERROR", "ABORTED"], timeout=60)
out["async"] = {"phase": job.phase, "n": int(job.fetch_result().to_table()["n"][0])}
job.delete()

# a bad query: pyvo raises with the service's message
try:
    service.run_sync("SELECT ra FROM esasky.hipparcos WHERE ra >")
    out["error"] = None
except pyvo.dal.DALQueryError as e:
    out["error"] = str(e)

print(json.dumps(out))
