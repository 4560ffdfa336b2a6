#!/usr/bin/env python3
"""Measures the web application in Chromium (Playwright on Debian's Chromium, its DevTools protocol
and performance timeline), for bench/web-ui:
  - first load of /catalog from a cold cache: bytes over the wire (gzip on) and requests; then a
    repeat load: how many requests still reach the server (revalidations);
  - a 100,000-row x 10-column result: time from the statement's answer to the first painted rows,
    frame times while scrolling through it (p50/p95), and the JS heap once every chunk is loaded.
Usage: web_ui.py BASE USER PASSWORD CERT_SPKI_SHA256. Prints `name value unit` lines. The local
certificate is trusted by its key (Chromium keeps nothing in its cache for a site with a certificate
error, so ignoring the error would measure an uncached browser)."""
import statistics
import sys

from playwright.sync_api import sync_playwright

base, user, password, spki = sys.argv[1:5]
ROWS = 100_000
SQL = ("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d) "
       "SELECT i AS c1, i * 2 AS c2, i * 3 AS c3, 'row ' || i AS c4, i %% 97 AS c5, i / 7.0 AS c6, "
       "'x' || (i %% 13) AS c7, i * i AS c8, i %% 2 AS c9, 'end' AS c10 FROM n") % ROWS

with sync_playwright() as playwright:
    browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                         args=["--no-sandbox", "--enable-precise-memory-info", f"--ignore-certificate-errors-spki-list={spki}"])
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.goto(base + "/catalog")
    page.wait_for_selector("input[name=username]", timeout=20000)
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", password)
    page.click("[type=submit]")
    page.wait_for_url(base + "/catalog", timeout=20000)
    page.wait_for_load_state("networkidle")

    # Cold cache: the browser's cache emptied, the session kept; every response's bytes on the wire.
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.clearBrowserCache")
    sizes, urls = {}, {}
    cdp.on("Network.requestWillBeSent", lambda event: urls.__setitem__(event["requestId"], event["request"]["url"]))
    cdp.on("Network.loadingFinished", lambda event: sizes.__setitem__(event["requestId"], event["encodedDataLength"]))
    page.goto(base + "/catalog")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)
    ours = [request for request, url in urls.items() if url.startswith(base)]
    print("first_load_requests", len(ours), "requests")
    print("first_load_bytes", sum(sizes.get(request, 0) for request in ours), "bytes")

    # Repeat load: what still goes to the server (revalidations and API calls).
    served = []
    cdp.on("Network.responseReceived", lambda event: served.append(event) if event["response"]["url"].startswith(base)
           and not event["response"].get("fromDiskCache") and not event["response"].get("fromMemoryCache") else None)
    page.goto(base + "/sql")  # away, then back by a normal navigation (a reload would revalidate everything)
    page.wait_for_load_state("networkidle")
    served.clear()
    page.goto(base + "/catalog")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)
    assets = [event for event in served if "/api/" not in event["response"]["url"]]
    print("repeat_load_revalidations", len(assets), "requests")
    print("repeat_load_api_calls", len(served) - len(assets), "requests")

    # 100,000 rows: run, then time to the first painted rows after the statement's answer.
    page.goto(base + "/sql")
    page.wait_for_selector(".CodeMirror", timeout=20000)
    page.evaluate("(sql) => { const cm = document.querySelector('.CodeMirror').CodeMirror; cm.setValue(sql); cm.focus(); }", SQL)
    page.evaluate("""() => { window.__painted = null; const watch = () => {
        if (document.querySelector('.ff-result-summary') && document.querySelector('.ff-grid-body [role=row]')) { window.__painted = performance.now(); return; }
        requestAnimationFrame(watch); }; requestAnimationFrame(watch); }""")
    page.keyboard.press("Control+Enter")
    page.wait_for_function("() => window.__painted !== null", timeout=120000)
    answered = page.evaluate("""() => Math.max(...performance.getEntriesByType('resource')
        .filter(e => /\\/api\\/sql\\/statements(\\/[^/]+)?$/.test(new URL(e.name).pathname)).map(e => e.responseEnd))""")
    painted = page.evaluate("window.__painted")
    print("answer_to_first_paint", round(painted - answered, 1), "ms")

    # Scrolling: the grid scrolled from top to bottom in steps, one per frame, frame times recorded.
    frames = page.evaluate("""async () => {
        const host = document.querySelector('.ff-grid-host');
        const scroller = [host, ...host.querySelectorAll('*')].find(e => e.scrollHeight > e.clientHeight + 10);
        const times = []; let last = performance.now();
        const steps = 240, step = scroller.scrollHeight / steps;
        for (let i = 1; i <= steps; i++) {
            scroller.scrollTop = i * step;
            await new Promise(resolve => requestAnimationFrame(resolve));
            const now = performance.now(); times.push(now - last); last = now;
        }
        return times; }""")
    frames.sort()
    print("scroll_frame_p50", round(statistics.median(frames), 1), "ms")
    print("scroll_frame_p95", round(frames[int(len(frames) * 0.95) - 1], 1), "ms")
    page.wait_for_function(f"() => document.querySelector('.ff-grid-body') && [...document.querySelectorAll('[role=rowheader]')].some(e => e.textContent === '{ROWS}')", timeout=120000)
    heap = page.evaluate("performance.memory.usedJSHeapSize")
    print("js_heap_all_rows_loaded", round(heap / 1048576, 1), "MiB")
    browser.close()
