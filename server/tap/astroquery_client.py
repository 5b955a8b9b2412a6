"""Drives /esasky-tap with astroquery.esasky (Debian python3-astroquery), for server/tap/vo.test.ts.

Usage: /usr/bin/python3 astroquery_client.py <base URL, e.g. http://127.0.0.1:8080/esasky-tap>
Prints one JSON object with what astroquery saw; the test compares it with its own references.
"""
import json
import sys

import astropy.units as u
from astropy.coordinates import SkyCoord
from astroquery.esasky import ESASkyClass

ESASkyClass.URLbase = sys.argv[1]
esasky = ESASkyClass()
out = {}
out["maps"] = esasky.list_maps()
out["catalogs"] = esasky.list_catalogs()
out["spectra"] = esasky.list_spectra()

orion = SkyCoord(83.82, -5.39, unit="deg", frame="icrs")
cats = esasky.query_region_catalogs(orion, 5 * u.deg, catalogs="HIPPARCOS")
t = cats["HIPPARCOS"]
out["hipparcos"] = sorted(int(v) for v in t["hip"])

maps = esasky.query_region_maps(orion, 0.2 * u.deg, missions="all")
out["maps_rows"] = {name: len(maps[name]) for name in maps.keys()}
out["maps_columns"] = sorted(maps[next(iter(maps.keys()))].colnames)

# the TAP service itself, through astroquery's TapPlus
out["tables"] = sorted(esasky.get_tables())
out["query"] = len(esasky.query("SELECT TOP 3 name FROM esasky.messier ORDER BY name"))
print(json.dumps(out))
