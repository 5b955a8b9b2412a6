"""Drives the spectra side of /esasky-tap with astroquery.esasky (Debian python3-astroquery), for
server/esaskySpectra.test.ts: lists the missions, searches spectra by region, by object position
and by observation id, and downloads them with get_spectra.

Usage: /usr/bin/python3 astroquery_spectra_client.py <base URL …/esasky-tap> <download dir> <mission>
       <ra1> <dec1> <ra2> <dec2>
Prints one JSON object with what astroquery saw; the test compares it with its own references.
"""
import hashlib
import json
import os
import sys

import astropy.units as u
from astropy.coordinates import SkyCoord
from astroquery.esasky import ESASkyClass

base, download, mission = sys.argv[1], sys.argv[2], sys.argv[3]
ra1, dec1, ra2, dec2 = (float(x) for x in sys.argv[4:8])
ESASkyClass.URLbase = base
esasky = ESASkyClass()


def ids(table_list, name):
    """obs_ids of one mission's table in a TableList (astroquery leaves out empty missions)."""
    if name.upper() not in table_list.keys():
        return []
    return sorted(str(v) for v in table_list[name.upper()]["obs_id"])


def digests(result, name):
    """File name and SHA-256 of every file get_spectra wrote for a mission."""
    folder = os.path.join(download, name.upper())  # astroquery names the folder after the upper-case mission
    out = {}
    for hdul in result.get(name.upper(), result.get(name, [])):
        path = hdul.filename()
        with open(path, "rb") as f:
            out[os.path.basename(path)] = hashlib.sha256(f.read()).hexdigest()
        hdul.close()
    out["_files_in_folder"] = sorted(os.listdir(folder)) if os.path.isdir(folder) else []
    return out


out = {"maps": esasky.list_maps(), "spectra": esasky.list_spectra()}
p1 = SkyCoord(ra1, dec1, unit="deg", frame="icrs")
p2 = SkyCoord(ra2, dec2, unit="deg", frame="icrs")
out["region_p1_1arcsec"] = ids(esasky.query_region_spectra(p1, 1 * u.arcsec, missions=mission, cache=False), mission)
out["region_p2_1arcsec"] = ids(esasky.query_region_spectra(p2, 1 * u.arcsec, missions=mission, cache=False), mission)
out["region_p1_1arcmin_all"] = ids(esasky.query_region_spectra(p1, 1 * u.arcmin, missions="all", cache=False), mission)
far = SkyCoord(ra1 + 10, dec1, unit="deg", frame="icrs")
out["region_far"] = len(esasky.query_region_spectra(far, 1 * u.deg, missions="all", cache=False))
out["object_p2"] = ids(esasky.query_object_spectra(p2, missions=mission, cache=False), mission)
region = esasky.query_region_spectra(p2, 1 * u.arcsec, missions=mission, cache=False)
out["columns"] = sorted(region[mission.upper()].colnames)
out["product_urls"] = sorted(str(v) for v in region[mission.upper()]["product_url"])

got = esasky.get_spectra(position=p2, radius=1 * u.arcsec, missions=mission, download_dir=download, cache=False)
out["get_by_position"] = digests(got, mission)
first_ids = out["region_p1_1arcsec"][:2]
by_id = esasky.query_ids_spectra(first_ids, missions=mission, cache=False)
out["query_ids"] = ids(by_id, mission)
print(json.dumps(out))
