#!/usr/bin/env python3
"""Measures a large upload through the web application's tus client in Chromium (Playwright on
Debian's Chromium) against the same file sent by tuspy (the tus project's Python client) in the
same run, for bench/browser-upload:
  - browser: the file picked on /uploads?path=<folder> (Playwright hands Chromium the path; the file
    is never read by this process), sent as a user would; "sent" = from the pick until the page
    switches to "Forwarding to Databricks" (the last PATCH answered, offset = length), "done" =
    until the page shows "Uploaded" (it polls GET /api/uploads once a second), then checked with
    GET /api/uploads/{id}. Every 200 ms meanwhile: the RSS of Chromium's renderer processes (the
    largest one; peak over time; also its PSS and USS, RSS without the shared pages) and the page's
    JS heap (DevTools Performance.getMetrics). Per request to the upload: protocol and duration.
  - tuspy: the same file with the browser's session cookie and CSRF token, 8 MiB chunks, the web
    client's Upload-Metadata (path, filename; no checksum, as with "Verify SHA-256" unticked);
    "sent" = until the last PATCH, "done" = until GET /api/uploads/{id} (polled every 200 ms) says done.
  With FIREFLY_BENCH_UPLOAD_VERIFY=1 the page's "Verify SHA-256" is ticked before the pick (each
  slice hashed by Web Crypto, sent with Upload-Checksum) and tuspy sends sha256 checksums too.
Usage: browser_upload.py BASE USER PASSWORD FILE [FOLDER]
FOLDER (default /Volumes/main/default/uploads/uploadbench-<time>-<pid>) should be new: both
objects are written into it (the browser's as FILE's name, tuspy's as tuspy-<name>).
Prints the figures; exits 1 with a message when anything fails."""
import hashlib
import os
import sys
import time
import urllib.parse

import psutil
import requests
import urllib3
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright
from tusclient import client as tus_client
from tusclient.exceptions import TusCommunicationError

base, user, password, source = sys.argv[1:5]
folder = sys.argv[5] if len(sys.argv) > 5 else f"/Volumes/main/default/uploads/uploadbench-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"
CHUNK = 8 << 20  # the web client's slice (tus-client.js CHUNK_SIZE)
SMALL = 8 << 20  # below this the page sends one PUT /api/files instead of tus (upload-job.js)
MIB = 1 << 20
size = os.path.getsize(source)
name = os.path.basename(source)
browser_target = f"{folder}/{name}"
tuspy_target = f"{folder}/tuspy-{name}"
# Generous: 2 MiB/s end to end would still finish.
TIMEOUT = 120 + size / (2 * MIB)
VERIFY = os.environ.get("FIREFLY_BENCH_UPLOAD_VERIFY", "") == "1"
urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)  # the local stack's self-signed certificate


class BenchFailure(Exception):
    pass


def mib(value):
    return value / MIB


# Recorded in the page (its own clock): the pick (a capturing listener runs before the page's own
# `change` handler), the switch to forwarding (every byte at FireFly), done, or a failure with its text.
WATCH = """(label) => {
  const bench = window.__bench = { start: null, sent: null, done: null, failed: null };
  performance.setResourceTimingBufferSize(100000);  // every PATCH kept (the default keeps 250 entries)
  performance.clearResourceTimings();
  document.addEventListener('change', (event) => {
    if (event.target.id === 'upload-files' && bench.start === null) bench.start = performance.now();
  }, true);
  const look = () => {
    const bar = [...document.querySelectorAll('[role=progressbar]')].find((e) => e.getAttribute('aria-label') === label);
    if (!bar) return;
    const text = bar.getAttribute('aria-valuetext') || '';
    const now = performance.now();
    if (bench.sent === null && (text.startsWith('Forwarding to Databricks') || text === 'Uploaded')) bench.sent = now;
    if (bench.done === null && text === 'Uploaded') bench.done = now;
    if (bench.failed === null && /failed|Cancelled/i.test(text)) {
      const item = bar.closest('li');
      const error = item && item.querySelector('.ff-upload-error');
      bench.failed = text + (error && error.textContent ? ': ' + error.textContent : '');
    }
  };
  new MutationObserver(look).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['aria-valuetext'] });
}"""


class Sampler:
    """Peaks of the renderers' RSS (Chromium below this process: Playwright's driver → browser →
    zygote → renderers) and of the page's JS heap."""

    def __init__(self, cdp):
        self.cdp = cdp
        self.renderer_rss = 0
        self.renderer_rss_before = None
        self.renderer_pss = self.renderer_uss = 0  # the same without the pages shared with other processes
        self.js_heap = 0
        self.samples = 0

    def sample(self):
        largest = largest_pss = largest_uss = 0
        for process in psutil.Process().children(recursive=True):
            try:
                if "--type=renderer" in process.cmdline():
                    memory = process.memory_full_info()  # RSS, and PSS/USS from smaps_rollup
                    largest = max(largest, memory.rss)
                    largest_pss, largest_uss = max(largest_pss, memory.pss), max(largest_uss, memory.uss)
            except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                continue
        self.renderer_rss = max(self.renderer_rss, largest)
        self.renderer_pss = max(self.renderer_pss, largest_pss)
        self.renderer_uss = max(self.renderer_uss, largest_uss)
        if self.renderer_rss_before is None:
            self.renderer_rss_before = largest
        metrics = {m["name"]: m["value"] for m in self.cdp.send("Performance.getMetrics")["metrics"]}
        self.js_heap = max(self.js_heap, int(metrics.get("JSHeapUsedSize", 0)))
        self.samples += 1


def find_upload(uploads, target):
    return next((u for u in uploads if u.get("target", "").rstrip("/").endswith(target)), None)


def browser_run(playwright):
    browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox"] + os.environ.get("FIREFLY_BENCH_CHROMIUM_ARGS", "").split())
    try:
        context = browser.new_context(ignore_https_errors=True, viewport={"width": 1400, "height": 900})
        page = context.new_page()
        page_errors = []
        page.on("pageerror", lambda error: page_errors.append(str(error)))
        page.on("crash", lambda _: page_errors.append("the page crashed"))

        # Sign in: the page goes through the provider's form and comes back to /uploads?path=…
        page.goto(base + "/uploads?path=" + urllib.parse.quote(folder))
        page.wait_for_selector("input[name=username]", timeout=20000)
        page.fill("input[name=username]", user)
        page.fill("input[name=password]", password)
        page.click("[type=submit]")
        page.wait_for_url(lambda url: url.startswith(base + "/uploads"), timeout=20000)
        target_box = page.get_by_label("Upload to folder")
        target_box.wait_for(timeout=15000)
        if target_box.input_value() != folder:
            raise BenchFailure(f"the uploads page shows the folder {target_box.input_value()!r}, not {folder!r}")
        page.wait_for_load_state("networkidle")

        cdp = context.new_cdp_session(page)
        cdp.send("Performance.enable")
        sampler = Sampler(cdp)
        sampler.sample()
        page.evaluate(WATCH, f"{name} upload")

        if VERIFY:
            page.get_by_label("Verify SHA-256").check()
        page.get_by_label("Choose files").set_input_files(source)
        deadline = time.monotonic() + TIMEOUT
        while True:
            sampler.sample()
            state = page.evaluate("window.__bench")
            if page_errors:
                raise BenchFailure("browser: page error: " + "; ".join(page_errors))
            if state["failed"]:
                raise BenchFailure(f"browser: the upload failed: {state['failed']}")
            if state["done"] is not None:
                break
            if time.monotonic() > deadline:
                shown = page.locator("[role=progressbar]").first.get_attribute("aria-valuetext") if page.locator("[role=progressbar]").count() else "no progress bar"
                raise BenchFailure(f"browser: not done after {TIMEOUT:.0f} s (the page shows {shown!r})")
            time.sleep(0.2)
        sampler.sample()
        if state["start"] is None or state["sent"] is None:
            raise BenchFailure(f"browser: the page's upload was not followed from its start: {state}")

        listed = page.evaluate("() => fetch('/api/uploads', { headers: { Accept: 'application/json' } }).then((r) => r.json())")
        upload = find_upload(listed.get("uploads", []), browser_target)
        if upload is None:
            raise BenchFailure(f"browser: no resumable upload to {browser_target} in GET /api/uploads (did the page use tus?)")
        one = page.evaluate("(id) => fetch('/api/uploads/' + encodeURIComponent(id)).then((r) => r.json())", upload["id"])
        if one.get("state") != "done" or int(one.get("size", -1)) != size or int(one.get("forwarded_bytes", -1)) != size:
            raise BenchFailure(f"browser: GET /api/uploads/{upload['id']} says {one}")

        # The requests to the upload's URL (PATCHes; HEADs only after a failure): protocol and durations.
        patches = page.evaluate("""(id) => performance.getEntriesByType('resource')
            .filter((e) => e.initiatorType === 'xmlhttprequest' && new URL(e.name).pathname.replace(/\\/+$/, '').endsWith('/api/uploads/' + id))
            .map((e) => ({ protocol: e.nextHopProtocol, ms: e.duration }))""", upload["id"])
        if not patches:
            raise BenchFailure("browser: no request to the upload's URL in the page's resource timing")
        durations = sorted(p["ms"] for p in patches)

        # What tuspy needs to act as this session: its cookies and CSRF token (GET /api/me, as the shell reads it).
        me = page.evaluate("() => fetch('/api/me', { headers: { Accept: 'application/json' } }).then((r) => r.json())")
        cookies = "; ".join(f"{c['name']}={c['value']}" for c in context.cookies(base))
        result = {
            "sent": (state["sent"] - state["start"]) / 1000, "done": (state["done"] - state["start"]) / 1000,
            "renderer_rss": sampler.renderer_rss, "renderer_rss_before": sampler.renderer_rss_before,
            "renderer_pss": sampler.renderer_pss, "renderer_uss": sampler.renderer_uss,
            "js_heap": sampler.js_heap, "samples": sampler.samples,
            "protocol": ",".join(sorted({p["protocol"] or "?" for p in patches})), "requests": len(patches),
            "request_median_ms": durations[len(durations) // 2],
            "csrf": me["csrf_token"], "cookies": cookies,
        }
        if page_errors:
            raise BenchFailure("browser: page error: " + "; ".join(page_errors))
        return result
    finally:
        browser.close()


def tuspy_run(cookies, csrf):
    headers = {"Cookie": cookies, "Origin": base, "X-CSRF-Token": csrf}
    tus = tus_client.TusClient(base + "/api/uploads", headers=headers)
    metadata = {"path": tuspy_target, "filename": os.path.basename(tuspy_target)}
    if VERIFY:
        metadata["verify"] = "sha256"  # as the page sends it
    uploader = tus.uploader(source, chunk_size=CHUNK, metadata=metadata, verify_tls_cert=False, upload_checksum=VERIFY)
    if VERIFY:
        # tuspy 1.1 always offers sha1; FireFly takes sha256 (tus checksum extension), so switch it.
        uploader._BaseUploader__checksum_algorithm_name = "sha256"
        uploader._BaseUploader__checksum_algorithm = hashlib.sha256
    started = time.monotonic()
    try:
        uploader.upload()
    except TusCommunicationError as error:  # TusUploadFailed too
        raise BenchFailure(f"tuspy: the upload failed: {error} {error.status_code} {error.response_content!r}") from error
    sent = time.monotonic() - started
    if uploader.offset != size:
        raise BenchFailure(f"tuspy: stopped at offset {uploader.offset} of {size}")
    upload_id = uploader.url.split("?")[0].rstrip("/").split("/")[-1]
    deadline = started + TIMEOUT
    with requests.Session() as session:
        session.headers.update({"Cookie": cookies, "Accept": "application/json"})
        while True:
            # verify per request: a session's verify=False loses to REQUESTS_CA_BUNDLE in the environment.
            answer = session.get(f"{base}/api/uploads/{upload_id}", timeout=30, verify=False)
            if answer.status_code != 200:
                raise BenchFailure(f"tuspy: GET /api/uploads/{upload_id} answered {answer.status_code}: {answer.text[:300]}")
            upload = answer.json()
            if upload["state"] == "done":
                break
            if upload["state"] not in ("receiving", "forwarding"):
                raise BenchFailure(f"tuspy: the upload is {upload['state']}: {upload.get('error')}")
            if time.monotonic() > deadline:
                raise BenchFailure(f"tuspy: not done after {TIMEOUT:.0f} s ({upload})")
            time.sleep(0.2)
    done = time.monotonic() - started
    if int(upload["size"]) != size or int(upload["forwarded_bytes"]) != size or not upload["target"].endswith(tuspy_target):
        raise BenchFailure(f"tuspy: GET /api/uploads/{upload_id} says {upload}")
    return {"sent": sent, "done": done, "requests": -(-size // CHUNK)}


def main():
    if size < SMALL:
        raise BenchFailure(f"{source} has {size} bytes; files below {SMALL} bytes go through PUT /api/files, not tus")
    with sync_playwright() as playwright:
        browser = browser_run(playwright)
    tuspy = tuspy_run(browser["cookies"], browser["csrf"])
    size_mib = mib(size)
    print(f"target folder: {folder}" + ("; \"Verify SHA-256\" ticked, tuspy with sha256 checksums" if VERIFY else ""))
    print(f"browser: {size_mib:.0f} MiB sent in {browser['sent']:.2f} s ({size_mib / browser['sent']:.1f} MiB/s), "
          f"done in {browser['done']:.2f} s; renderer RSS peak {mib(browser['renderer_rss']):.0f} MiB, "
          f"JS heap peak {mib(browser['js_heap']):.1f} MiB ({browser['samples']} samples, every 200 ms)")
    print(f"  renderer RSS before the pick {mib(browser['renderer_rss_before']):.0f} MiB; renderer PSS peak {mib(browser['renderer_pss']):.0f} MiB, "
          f"USS peak {mib(browser['renderer_uss']):.0f} MiB; {browser['requests']} requests to the upload "
          f"over {browser['protocol']}, median {browser['request_median_ms']:.0f} ms")
    print(f"tuspy:   {size_mib:.0f} MiB sent in {tuspy['sent']:.2f} s ({size_mib / tuspy['sent']:.1f} MiB/s), "
          f"done in {tuspy['done']:.2f} s")
    print(f"  {tuspy['requests']} PATCHes over HTTP/1.1 (a new connection each), mean {tuspy['sent'] * 1000 / tuspy['requests']:.0f} ms including the creation")
    print(f"ratio (browser/tuspy, sent): {tuspy['sent'] / browser['sent']:.2f} (target >= 0.9); "
          f"done: {tuspy['done'] / browser['done']:.2f}; tab memory {mib(browser['renderer_rss']):.0f} MiB (target <= 200)")


if __name__ == "__main__":
    try:
        main()
    except BenchFailure as failure:
        print(f"browser_upload: {failure}", file=sys.stderr)
        sys.exit(1)
    except requests.RequestException as error:
        print(f"browser_upload: tuspy: {error}", file=sys.stderr)
        sys.exit(1)
    except PlaywrightError as error:
        print(f"browser_upload: Playwright: {error}", file=sys.stderr)
        sys.exit(1)
