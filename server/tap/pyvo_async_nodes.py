"""pyvo's async (UWS) path across two server nodes that share one database, for
server/tap/uwsShared.test.ts: the job is submitted to node A, run, polled and its result fetched
through node B, then deleted through node A.

Usage: /usr/bin/python3 pyvo_async_nodes.py <tap base URL of node A> <tap base URL of node B>
Prints one JSON object with what pyvo saw.
"""
import json
import sys

import pyvo

a, b = sys.argv[1], sys.argv[2]
service_a = pyvo.dal.TAPService(a)
job_a = service_a.submit_job(
    "SELECT TOP 5 hip, mag FROM esasky.hipparcos ORDER BY mag, hip", runid="two-nodes"
)
url_a = job_a.url
url_b = url_a.replace(a, b, 1)
out = {"url_a": url_a, "url_b": url_b, "phase_before": job_a.phase}

# the same job through node B: pyvo runs it there, waits and reads the result
job_b = pyvo.dal.AsyncTAPJob(url_b)
out["phase_on_b"] = job_b.phase
job_b.run()
job_b.wait(phases=["COMPLETED", "ERROR", "ABORTED"], timeout=60)
out["phase_after"] = job_b.phase
t = job_b.fetch_result().to_table()
out["hip"] = [int(v) for v in t["hip"]]
# node A sees the same finished job, then deletes it
out["phase_on_a"] = job_a.phase
job_a.delete()
try:
    out["after_delete_on_b"] = job_b.phase
except pyvo.dal.DALServiceError as e:
    out["after_delete_on_b"] = "gone: " + str(e)
print(json.dumps(out))
