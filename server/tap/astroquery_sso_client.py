"""Drives the Solar System side of /esasky-tap with astroquery.esasky (Debian python3-astroquery),
for server/esaskySso.test.ts: list_sso, find_sso, query_sso and get_images_sso.

Usage: /usr/bin/python3 astroquery_sso_client.py <base URL …/esasky-tap> <download dir> <mission> <body> <comet>
Prints one JSON object with what astroquery saw; the test compares it with its own references.
"""
import hashlib
import json
import os
import sys

from astroquery.esasky import ESASkyClass

base, download, mission, body, comet = sys.argv[1:6]
ESASkyClass.URLbase = base
esasky = ESASkyClass()

out = {"missions": esasky.list_sso()}
found = esasky.find_sso(sso_name=body)
out["find"] = [{"sso_name": s["sso_name"], "sso_type": s["sso_type"], "aliases": s["aliases"]} for s in found]
out["find_comet"] = [s["sso_name"] for s in esasky.find_sso(sso_name=comet, sso_type="COMET")]
out["find_wrong_type"] = esasky.find_sso(sso_name=body, sso_type="COMET")

one = esasky.query_sso(sso_name=body, missions=mission)
out["query_one"] = sorted(str(v) for v in one[mission.upper()]["obs_id"]) if mission.upper() in one.keys() else []
t = one[mission.upper()]
out["query_columns"] = sorted(t.colnames)
out["query_mjd"] = {str(i): float(m) for i, m in zip(t["obs_id"], t["sso_mjd"])}
every = esasky.query_sso(sso_name=body)
out["query_all"] = {k: sorted(str(v) for v in every[k]["obs_id"]) for k in every.keys()}
comet_hits = esasky.query_sso(sso_name=comet, sso_type="COMET")
out["query_comet"] = {k: len(comet_hits[k]) for k in comet_hits.keys()}

maps = esasky.get_images_sso(sso_name=body, missions=mission, download_dir=download)
files = {}
for hdul in maps.get(mission.upper(), []):
    path = hdul.filename()
    with open(path, "rb") as f:
        files[os.path.basename(path)] = hashlib.sha256(f.read()).hexdigest()
    hdul.close()
out["images"] = files
print(json.dumps(out))
