#!/usr/bin/env python3
"""Uploads a random file of SIZE bytes (or the existing file given as file:PATH) to FireFly's
/api/uploads/ with tuspy (the tus project's Python client), 8 MiB chunks with sha256 checksums, and
prints "<sha256 of the source> <upload URL> <upload seconds>". CA_FILE may be "-" for plain http.
With --wait-done it then waits until FireFly has forwarded the upload to Databricks and prints a
fourth field, the seconds from the start until then (the upload fails the script if forwarding does).
Usage: tus_upload.py BASE_URL COOKIE CSRF_TOKEN CA_FILE SIZE|file:PATH TARGET_PATH [--wait-done]"""
import hashlib
import json
import os
import sys
import tempfile
import time

base, cookie, csrf, ca_file, size, target = sys.argv[1:7]
wait_done = sys.argv[7:8] == ["--wait-done"]
if ca_file != "-":
    os.environ["REQUESTS_CA_BUNDLE"] = ca_file
from tusclient import client  # noqa: E402  (after the CA bundle is set)

digest = hashlib.sha256()
if size.startswith("file:"):
    source_path, keep = size[5:], True
    with open(source_path, "rb") as existing:
        for block in iter(lambda: existing.read(1 << 20), b""):
            digest.update(block)
else:
    keep = False
    with tempfile.NamedTemporaryFile(delete=False) as source:
        remaining = int(size)
        while remaining:
            block = os.urandom(min(remaining, 1 << 20))
            digest.update(block)
            source.write(block)
            remaining -= len(block)
        source_path = source.name
try:
    tus = client.TusClient(base + "/api/uploads", headers={
        "Cookie": "__Host-firefly_session=" + cookie, "Origin": base, "X-CSRF-Token": csrf})
    uploader = tus.uploader(source_path, chunk_size=8 << 20, upload_checksum=True,
                            metadata={"path": target, "filename": os.path.basename(target)})
    # tuspy 1.1 always offers sha1; FireFly supports sha256 (tus checksum extension), so switch it.
    uploader._BaseUploader__checksum_algorithm_name = "sha256"
    uploader._BaseUploader__checksum_algorithm = hashlib.sha256
    started = time.monotonic()
    uploader.upload()
    uploaded = time.monotonic() - started
    if not wait_done:
        print(digest.hexdigest(), uploader.url, f"{uploaded:.2f}")
    else:
        import requests  # tuspy's own HTTP client
        status_url = base + "/api/uploads/" + uploader.url.rstrip("/").rsplit("/", 1)[-1]
        while True:
            state = requests.get(status_url, headers={"Cookie": "__Host-firefly_session=" + cookie},
                                 verify=ca_file if ca_file != "-" else True, timeout=30).json()
            if state.get("state") == "done":
                break
            if state.get("state") not in ("receiving", "forwarding"):
                sys.exit(f"tus_upload.py: the upload ended {state.get('state')}: {json.dumps(state)}")
            time.sleep(0.02)
        print(digest.hexdigest(), uploader.url, f"{uploaded:.2f}", f"{time.monotonic() - started:.2f}")
finally:
    if not keep:
        os.unlink(source_path)
