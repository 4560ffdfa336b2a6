#!/usr/bin/env python3
"""The web application as a person uses it, in real Chromium (Debian's, driven by Playwright):
sign in through the provider's form, walk the catalog tree by keyboard, open a table, query it,
scroll a 10,000-row result to its end, download it as CSV, cancel a long statement, see an error
with its position, find everything in the history and run one again, reload (tabs kept), and after
the session is revoked land on the sign-in and come back to the same page. Every page is checked
with axe (zero violations), for CSP violations and console errors (zero), and saved as a screenshot.

Usage: journeys.py BASE USER PASSWORD SCREENSHOT_DIR REVOKE_COMMAND...
Prints one line per check; exits 1 on the first failure (with a screenshot of it)."""
import csv
import hashlib
import io
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.parse

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect, sync_playwright

base, user, password, shots = sys.argv[1:5]
revoke_command = sys.argv[5:]
axe = Axe()
problems = []

# Recorded in every page before its own scripts run: CSP violations the browser reports.
WATCH_CSP = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""


def check(name, condition, detail=""):
    print(("ok   " if condition else "FAIL ") + name + (f": {detail}" if detail and not condition else ""), flush=True)
    if not condition:
        problems.append(name)


def inspect(page, name):
    """Screenshot, axe, CSP and console checks of the page as it is now."""
    page.screenshot(path=f"{shots}/{name}.png", full_page=False)
    results = axe.run(page)
    violations = results.response.get("violations", [])
    check(f"{name}: axe finds no violation", not violations,
          "; ".join(f"{v['id']} at {[node['target'] for node in v['nodes']][:3]}" for v in violations))
    csp = page.evaluate("window.__csp || []")
    check(f"{name}: no CSP violation", not csp, "; ".join(csp))


def sign_in(page):
    page.wait_for_selector("input[name=username]", timeout=20000)
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", password)
    page.click("[type=submit]")


def set_sql(page, text):
    page.wait_for_selector(".CodeMirror", timeout=15000)
    page.evaluate("(text) => { const cm = document.querySelector('.CodeMirror').CodeMirror; cm.setValue(text); cm.focus(); cm.setCursor(cm.lineCount(), 0); }", text)


def run_sql(page, text):
    set_sql(page, text)
    page.keyboard.press("Control+Enter")


def throttle_uploads(page, bytes_per_second):
    """Chromium's network emulation: uploads from the page at this rate (None: unthrottled)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 0, "downloadThroughput": -1,
                                                  "uploadThroughput": bytes_per_second or -1})
    return cdp


def upload_state(page, name):
    bar = page.get_by_role("progressbar", name=f"{name} upload")
    return bar.get_attribute("aria-valuetext", timeout=15000) or ""


def uploads_journey(page, context, console):
    """50 MiB through the tus client with "Verify SHA-256" (every slice sent with its checksum, the
    next one hashed while the current one is sent) and visible progress, a reload at ~40 %, resumed
    by picking the file again, the stored object's SHA-256 equal to the source; a cancel; a quota
    refusal."""
    folder = "/Volumes/main/default/uploads/browser"
    files = tempfile.mkdtemp(prefix="ff-browser-files-")
    big = os.path.join(files, "big.bin")
    with open(big, "wb") as out:
        out.write(os.urandom(50 << 20))
    source_hash = hashlib.sha256(open(big, "rb").read()).hexdigest()
    page.goto(base + "/uploads?path=" + urllib.parse.quote(folder))
    expect(page.get_by_label("Upload to folder")).to_have_value(folder, timeout=15000)
    inspect(page, "7-uploads")
    cdp = throttle_uploads(page, 8 << 20)
    page.get_by_label("Verify SHA-256").check()
    page.get_by_label("Choose files").set_input_files(big)
    page.wait_for_function("() => { const bar = document.querySelector('[role=progressbar][aria-label=\"big.bin upload\"]');"
                           " return bar && Number(bar.getAttribute('aria-valuenow')) >= 35; }", timeout=30000)
    shown = upload_state(page, "big.bin")
    check("upload progress is shown while sending", shown.startswith("Sending to FireFly"), shown)
    inspect(page, "8-upload-progress")
    cdp.detach()
    page.reload()
    expect(page.get_by_role("heading", name="Waiting for their file")).to_be_visible(timeout=15000)
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Pick the file again big.bin").click()
    chooser.value.set_files(big)
    expect(page.get_by_role("progressbar", name="big.bin upload")).to_have_attribute("aria-valuetext", "Uploaded", timeout=120000)
    stored = page.request.get(base + "/api/files?path=" + urllib.parse.quote(folder + "/big.bin"), timeout=60000)
    check("after a reload at ~40 % the upload resumed and the stored object is the file",
          stored.status == 200 and hashlib.sha256(stored.body()).hexdigest() == source_hash, f"{stored.status}")
    uploads = page.request.get(base + "/api/uploads").json()["uploads"]
    check("one resumable upload for the file, resumed not restarted",
          len([u for u in uploads if u["target"].endswith("/big.bin") and u["state"] == "done"]) == 1, str(uploads[:3]))

    # Cancel one while it sends.
    other = os.path.join(files, "other.bin")
    with open(other, "wb") as out:
        out.write(os.urandom(30 << 20))
    cdp = throttle_uploads(page, 4 << 20)
    page.get_by_label("Choose files").set_input_files(other)
    page.wait_for_function("() => { const bar = document.querySelector('[role=progressbar][aria-label=\"other.bin upload\"]');"
                           " return bar && Number(bar.getAttribute('aria-valuenow')) >= 10; }", timeout=30000)
    page.get_by_role("button", name="Cancel other.bin").click()
    expect(page.get_by_role("progressbar", name="other.bin upload")).to_have_attribute("aria-valuetext", "Cancelled", timeout=15000)
    cdp.detach()
    check("an upload can be cancelled", True)

    # More than the user's quota: refused at once, with the reason.
    provoked = len(console)
    huge = os.path.join(files, "huge.bin")
    with open(huge, "wb") as out:
        out.truncate(200 << 20)
    page.get_by_label("Choose files").set_input_files(huge)
    expect(page.get_by_text("quota", exact=False).first).to_be_visible(timeout=15000)
    inspect(page, "9-upload-quota")
    del console[provoked:]  # Chromium logs the refused request itself
    check("a quota refusal is shown", True)

    # The volume page lists the file, with download and delete.
    page.goto(base + "/catalog/main/default/volumes/uploads/browser")
    expect(page.get_by_role("link", name="Download big.bin")).to_be_visible(timeout=15000)
    expect(page.get_by_role("button", name="Delete big.bin")).to_be_visible()
    inspect(page, "10-volume")
    check("the volume page lists the upload with download and delete", True)
    shutil.rmtree(files, ignore_errors=True)


RUN_ONE_PLUS_ONE = """async () => {
  const base = "/";  // the app is served at the root of its own origin
  const kernel = await (await fetch(base + "api/kernels", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" })).json();
  const socket = new WebSocket(location.origin.replace("https", "wss") + base + "api/kernels/" + kernel.id + "/channels");
  const id = crypto.randomUUID();
  return await new Promise((resolve, reject) => {
    setTimeout(() => reject(new Error("no answer from the kernel")), 30000);
    socket.onmessage = (event) => {
      const message = JSON.parse(event.data);
      if (message.parent_header && message.parent_header.msg_id === id && message.msg_type === "execute_result") resolve(message.content.data["text/plain"]);
    };
    socket.onopen = () => socket.send(JSON.stringify({
      header: { msg_id: id, username: "", session: crypto.randomUUID(), msg_type: "execute_request", version: "5.3", date: new Date().toISOString() },
      parent_header: {}, metadata: {}, channel: "shell",
      content: { code: "1+1", silent: false, store_history: false, user_expressions: {}, allow_stdin: false, stop_on_error: true },
    }));
  });
}"""


def app_frame(page):
    """The app's frame once its token has left the URL (the app at the root of its own origin)."""
    for frame in page.frames:
        url = urllib.parse.urlparse(frame.url)
        if url.hostname and url.hostname.endswith(".apps.localhost") and not url.path.startswith("/app-proxy/"):
            return frame
    return None


def apps_journey(page, context):
    """Open an app: the iframe on its own origin loads Jupyter, its kernel runs 1+1 over the WebSocket
    through the proxy; the app's cookie stays on the app's origin and no token stays in a URL; an
    expired embed is minted again by the page; close it."""
    page.goto(base + "/apps")
    expect(page.get_by_role("link", name="notebook", exact=True)).to_be_visible(timeout=15000)
    inspect(page, "11-apps")
    embeds = []
    page.on("request", lambda request: embeds.append(request.url) if request.method == "POST" and request.url.endswith("/embed") else None)
    page.get_by_role("link", name="notebook", exact=True).click()
    expect(page.locator("iframe[title='notebook app']")).to_be_visible(timeout=15000)
    frame = None
    for _ in range(150):
        frame = app_frame(page)
        if frame:
            break
        page.wait_for_timeout(100)
    check("the app's frame moved the token out of its URL", frame is not None, " ".join(f.url for f in page.frames))
    frame.wait_for_load_state("load", timeout=20000)
    result = frame.evaluate(RUN_ONE_PLUS_ONE)
    check("the app's kernel runs 1+1 over the WebSocket through the proxy", result == "2", str(result))
    app_host = urllib.parse.urlparse(frame.url).hostname
    cookies = context.cookies()
    check("the app's cookie stays on the app origin, FireFly's session never goes there",
          all(c["domain"] == app_host for c in cookies if c["name"] == "__Host-firefly_app_token")
          and not any(c["domain"] == app_host for c in cookies if c["name"] == "__Host-firefly_session"), str([(c["name"], c["domain"]) for c in cookies]))
    check("no token in the FireFly page", "__Host-firefly_app_token" not in page.content() and "Bearer" not in page.content())
    inspect(page, "12-app-open")

    # The app's cookie is gone (expired): the frame shows the proxy's 401 page, which tells the page,
    # and the page mints a new embed URL.
    before = len(embeds)
    context.clear_cookies(name="__Host-firefly_app_token")
    frame.evaluate("() => { setTimeout(() => location.reload(), 0); }")
    for _ in range(200):
        if len(embeds) > before:
            break
        page.wait_for_timeout(100)
    # The new embed URL loads in the frame; until it has, the frame may still show the 401 page.
    result = None
    for _ in range(60):
        frame = app_frame(page)
        try:
            if frame:
                frame.wait_for_load_state("load", timeout=5000)
                # Not on the proxy's 401 page (its policy refuses the kernel's fetch, a console error).
                if frame.evaluate("() => document.title") == "FireFly app":
                    result = "the frame still shows the proxy's page"
                else:
                    result = frame.evaluate(RUN_ONE_PLUS_ONE)
                    if result == "2":
                        break
        except Exception as error:  # the frame navigated while asked, or still shows the 401 page
            result = str(error)
        page.wait_for_timeout(250)
    check("an expired embed is minted again without the user doing anything", len(embeds) > before and result == "2",
          f"{len(embeds) - before} new embeds, last answer {result}")
    page.get_by_role("link", name="Close").click()
    page.wait_for_url(base + "/apps", timeout=10000)
    check("closing the app goes back to the list", True)


with sync_playwright() as playwright:
    browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
    context = browser.new_context(ignore_https_errors=True, viewport={"width": 1400, "height": 900}, accept_downloads=True)
    context.add_init_script(WATCH_CSP)
    page = context.new_page()
    console = []
    # Console errors of FireFly's own pages (the provider's login page is not ours to judge).
    page.on("console", lambda message: console.append(f"{message.text} ({message.location.get('url', '')})")
            if message.type == "error" and page.url.startswith(base) else None)
    page.on("pageerror", lambda error: console.append(str(error)))
    try:
        # Sign in: a page link goes through the provider's form and comes back to it.
        page.goto(base + "/catalog")
        sign_in(page)
        page.wait_for_url(base + "/catalog", timeout=20000)
        tree = page.get_by_role("tree")
        expect(tree.get_by_role("treeitem", name="samples")).to_be_visible(timeout=15000)
        check("signed in, the catalog tree shows the granted catalogs", True)
        inspect(page, "1-catalog")

        # The tree by keyboard: focus, open a catalog, go down into it.
        tree.get_by_role("treeitem", name="samples").focus()
        page.keyboard.press("ArrowRight")
        expect(tree.get_by_role("treeitem", name="samples")).to_have_attribute("aria-expanded", "true", timeout=10000)
        expect(tree.get_by_role("treeitem", name="tpch")).to_be_visible(timeout=10000)
        page.keyboard.press("ArrowDown")
        focused = page.evaluate("document.activeElement.textContent")
        check("keyboard: ArrowRight opens a catalog, ArrowDown moves into it", "nyctaxi" in focused or "tpch" in focused, focused)
        page.keyboard.press("Enter")
        page.wait_for_url("**/catalog/samples/*", timeout=10000)
        check("keyboard: Enter opens the schema's page", True)

        # 5,000 tables in one schema: pages of 500, only the rows in view drawn, "Load more" at the end.
        page.goto(base + "/catalog/samples/wide")
        expect(tree.get_by_role("treeitem", name="t00001")).to_be_visible(timeout=20000)
        drawn = tree.get_by_role("treeitem").count()
        check("a schema of 5,000 tables draws only the rows in view", 0 < drawn < 120, str(drawn))
        scroll_tree_to_end = "() => { const t = document.querySelector('[role=tree]'); t.scrollTop = t.scrollHeight; t.dispatchEvent(new Event('scroll')); }"
        page.evaluate(scroll_tree_to_end)
        expect(tree.get_by_role("treeitem", name="t00500")).to_be_visible(timeout=10000)
        more = tree.get_by_role("treeitem", name="Load more tables…")
        expect(more).to_be_visible(timeout=10000)
        more.click()
        expect(tree.get_by_role("treeitem", name="t00501")).to_be_visible(timeout=15000)
        page.evaluate(scroll_tree_to_end)
        expect(tree.get_by_role("treeitem", name="t01000")).to_be_visible(timeout=15000)
        check("the schema page shows a bounded list and points to the explorer for the rest",
              page.get_by_text("Showing the first", exact=False).count() == 1 and page.locator("main li").count() <= 300, str(page.locator("main li").count()))
        drawn = tree.get_by_role("treeitem").count()
        check("Load more fetches the next page; still only the rows in view are drawn", 0 < drawn < 120, str(drawn))
        page.get_by_role("searchbox").first.fill("t00999")
        expect(tree.get_by_role("treeitem", name="t00999")).to_be_visible(timeout=10000)
        check("the filter finds a loaded table among 1,000", tree.get_by_role("treeitem").count() < 10, str(tree.get_by_role("treeitem").count()))
        page.get_by_role("searchbox").first.fill("")
        inspect(page, "1b-wide-schema")

        # A table page: columns, details, preview.
        page.goto(base + "/catalog/samples/tpch/orders")
        expect(page.get_by_text("o_orderkey").first).to_be_visible(timeout=15000)
        expect(page.get_by_text("First 100 rows", exact=False)).to_be_visible(timeout=20000)
        check("preview rows shown", page.get_by_role("row").count() > 50, str(page.get_by_role("row").count()))
        check("table page: columns and a preview", True)
        inspect(page, "2-table")

        # Query this table: a new tab with the quoted name, run with Ctrl+Enter.
        page.get_by_role("button", name="Query this table").click()
        page.wait_for_url("**/sql/**", timeout=10000)
        page.wait_for_selector(".CodeMirror", timeout=15000)
        text = page.evaluate("document.querySelector('.CodeMirror').CodeMirror.getValue()")
        check("Query this table writes the quoted name", "`samples`.`tpch`.`orders`" in text and "LIMIT 100" in text, text)
        page.locator(".CodeMirror").click()
        page.keyboard.press("Control+Enter")
        expect(page.locator(".ff-result-summary", has_text="100 rows")).to_be_visible(timeout=20000)
        check("Ctrl+Enter runs it: 100 rows", True)
        inspect(page, "3-sql-result")

        # 10,000 rows: only the rows in view are drawn; scrolled to the end, the last one shows.
        run_sql(page, "SELECT * FROM samples.nyctaxi.trips LIMIT 10000")
        expect(page.locator(".ff-result-summary", has_text="10,000 rows")).to_be_visible(timeout=30000)
        drawn = page.locator(".ff-grid-body [role=row]").count()
        check("a 10,000-row result draws only the rows in view", 0 < drawn < 200, str(drawn))
        page.evaluate("() => { const host = document.querySelector('.ff-grid-host'); const scroller = [host, ...host.querySelectorAll('*')].find(e => e.scrollHeight > e.clientHeight + 10); scroller.scrollTop = scroller.scrollHeight; }")
        expect(page.locator("[role=rowheader]", has_text="10000").first).to_be_visible(timeout=15000)
        check("scrolled to the end, row 10,000 is drawn", True)
        inspect(page, "4-sql-10000")

        # CSV download: the file holds every row.
        with page.expect_download(timeout=30000) as download_info:
            page.get_by_role("link", name="Download CSV").click()
        with open(download_info.value.path(), newline="") as file:
            rows = list(csv.reader(io.StringIO(file.read())))
        check("CSV download holds the header and 10,000 rows", len(rows) == 10001, str(len(rows)))

        # A long statement, cancelled with Escape.
        run_sql(page, "SELECT sleep(60000)")
        expect(page.get_by_role("button", name="Cancel")).to_be_enabled(timeout=15000)
        page.keyboard.press("Escape")
        expect(page.get_by_text("cancelled", exact=False).first).to_be_visible(timeout=20000)
        check("Escape cancels a running statement", True)

        # An error, shown in place with its position.
        run_sql(page, "SELECT *\nFROM samples.tpch.region\nWHERE r_name = 'x' FORM")
        alert = page.get_by_role("alert").first
        expect(alert).to_be_visible(timeout=20000)
        alert_text = alert.inner_text()
        check("an error shows Databricks' message and where it is", "PARSE_SYNTAX_ERROR" in alert_text, alert_text)
        check("the error's position is given", "line 3" in page.content(), alert_text)
        inspect(page, "5-sql-error")

        # History: everything run, searchable; run one again.
        page.goto(base + "/history")
        expect(page.get_by_text("SELECT sleep(60000)").first).to_be_visible(timeout=15000)
        history = page.locator(".ff-history-item").count()
        check("history lists the statements run", history >= 4, str(history))
        inspect(page, "6-history")
        page.fill("#history-search", "nyctaxi")
        page.wait_for_function("() => { const items = [...document.querySelectorAll('.ff-history-item')];"
                               " return items.length > 0 && items.every(item => item.textContent.includes('nyctaxi')); }", timeout=10000)
        check("history search keeps only the matching statements", True)
        page.locator(".ff-history-item").first.get_by_role("button", name="Re-run").click()
        page.wait_for_url("**/sql/**", timeout=10000)
        expect(page.locator(".ff-result-summary", has_text="10,000 rows")).to_be_visible(timeout=30000)
        check("re-run from history runs it in the editor", True)

        # A reload keeps the tabs and their drafts.
        tabs_before = page.locator(".ff-tabbar a").count()
        set_sql(page, "SELECT 'draft kept'")
        page.keyboard.press("Control+s")
        page.reload()
        page.wait_for_selector(".CodeMirror", timeout=15000)
        tabs_after = page.locator(".ff-tabbar a").count()
        draft = page.evaluate("document.querySelector('.CodeMirror').CodeMirror.getValue()")
        check("a reload keeps the tabs and the draft", tabs_before == tabs_after and "draft kept" in draft, f"{tabs_before} → {tabs_after}, {draft!r}")

        uploads_journey(page, context, console)
        apps_journey(page, context)

        # The session is revoked: the next action lands on the sign-in and comes back to the page.
        page.goto(base + "/catalog/samples/tpch")
        expect(page.get_by_text("orders").first).to_be_visible(timeout=15000)
        subprocess.run(revoke_command, check=True, capture_output=True)
        logins = []
        page.on("request", lambda request: logins.append(request.url) if "/auth/login" in request.url else None)
        page.reload()
        # The provider may still know the browser (then it answers at once) or show its form.
        page.wait_for_url(lambda url: url.startswith(base + "/catalog/samples/tpch") or "/accounts/login" in url, timeout=20000)
        if "/accounts/login" in page.url:
            sign_in(page)
        page.wait_for_url(base + "/catalog/samples/tpch", timeout=20000)
        expect(page.get_by_text("orders").first).to_be_visible(timeout=15000)
        check("after revocation: through the sign-in, back to the same page",
              any("return_to=%2Fcatalog%2Fsamples%2Ftpch" in url for url in logins), " ".join(logins))

        real_console = [line for line in console if "401" not in line]
        check("no console errors", not real_console, " | ".join(real_console[:5]))
    except Exception as error:  # noqa: BLE001 - the test reports any failure with a picture
        page.screenshot(path=f"{shots}/failure.png")
        check("journey", False, f"{type(error).__name__}: {error}")
    finally:
        browser.close()

print(f"{len(problems)} failed" if problems else "all browser checks passed")
sys.exit(1 if problems else 0)
