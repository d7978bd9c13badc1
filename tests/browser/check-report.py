#!/usr/bin/env python3
"""Open a copub report in headless Chromium and check what a reader would see.

    check-report.py REPORT.html [--charts N] [--screenshot FILE] [--png-size WxH]
                    [--map] [--map-screenshot FILE] [--section ID:ROWS]...

Chromium is driven through the DevTools protocol over a pipe (--remote-debugging-pipe:
file descriptors 3 and 4, NUL-separated JSON messages), which needs neither a websocket
client nor any package outside Python's standard library, and sees what --dump-dom and
log scraping cannot: console messages and exceptions as events, every network request,
and the laid-out page (computed style, boxes) for the visibility checks.

Checks: the page loads; no console error or warning, no uncaught exception, no error in
the browser log (a blocked resource, a CSP violation); no request leaves the file (the
report must be self-contained); the headline is present, visible and holds a percentage;
every chart (figure.chart) holds an SVG that is visible, drawn (shapes and text), with
gnuplot's 16:9 proportions, whose series show their names when hovered (not gnuplot's
"gnuplot_plot_N"); no text in the page or its charts is mis-decoded UTF-8 ("â€™"); with --charts N, there are N of them. With --png-size, the
PNG charts report.md links to exist, have that size and are not blank. The world map
(figure.map, copub's own SVG, not 16:9): at least 150 country elements, every one with
data a <title> tooltip, each described one focusable with a role and an aria-label, and
its values as a table after it; with --map, the page must have one; --map-screenshot
keeps a picture of it. With --section
ID:ROWS, the section whose heading has that id is there and visible, its first table is
visible with ROWS rows whose every cell shows text, a percentage in each row, and a
visible sentence follows the table. Exits 0 when
every check passes, 1 otherwise (each failure on one line), 2 when Chromium cannot run.
"""

import argparse
import base64
import json
import os
import re
import select
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zlib

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
TIMEOUT = 60.0

PAGE_CHECK = r"""
(() => {
  const visible = el => {
    if (!el) return false;
    const s = getComputedStyle(el), b = el.getBoundingClientRect();
    return s.display !== 'none' && s.visibility !== 'hidden' && parseFloat(s.opacity) > 0
      && b.width > 0 && b.height > 0;
  };
  const h = document.getElementById('headline');
  const charts = [...document.querySelectorAll('figure.chart')].map(f => {
    const svg = f.querySelector('svg');
    const box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
    const vb = svg && svg.viewBox && svg.viewBox.baseVal;
    return {
      id: f.id, hasSvg: !!svg, visible: visible(svg),
      width: box.width, height: box.height,
      viewWidth: vb ? vb.width : 0, viewHeight: vb ? vb.height : 0,
      shapes: svg ? svg.querySelectorAll('path,polygon,polyline,rect,use,circle').length : 0,
      texts: svg ? [...svg.querySelectorAll('text')].filter(t => t.textContent.trim()).length : 0,
      // What hovering each plotted series shows: gnuplot's <g id=...><title> per series.
      hovers: svg ? [...svg.querySelectorAll('g[id] > title')].map(t => t.textContent) : [],
      text: svg ? svg.textContent : '',
      // The world map (our own SVG, not gnuplot's): its countries and their tooltips.
      isMap: !!svg && svg.classList.contains('world-map'),
      mapBox: (() => { const b = f.getBoundingClientRect();
                       return [b.left + window.scrollX, b.top + window.scrollY, b.width, b.height]; })(),
      countries: svg ? svg.querySelectorAll('[data-code]').length : 0,
      tooltips: svg ? [...svg.querySelectorAll('[data-code] > title')].filter(t => t.textContent.trim()).length : 0,
      withData: svg ? svg.querySelectorAll('[data-works]').length : 0,
      dataWithoutTooltip: svg ? [...svg.querySelectorAll('[data-works]')].filter(e => !e.querySelector('title')).length : 0,
      focusable: svg ? [...svg.querySelectorAll('[data-code][tabindex="0"]')].filter(e => (e.getAttribute('aria-label') || '').trim() && e.getAttribute('role')).length : 0,
      mapTable: !!f.nextElementSibling && f.nextElementSibling.matches('details') && f.nextElementSibling.querySelectorAll('tbody tr').length,
    };
  });
  // Each h2 section: its heading, its first table's rows, the paragraph after the table.
  const sections = [...document.querySelectorAll('h2[id]')].map(h => {
    let table = null, after = null;
    for (let el = h.nextElementSibling; el && el.tagName !== 'H2'; el = el.nextElementSibling) {
      if (!table && el.querySelector && el.querySelector('table')) table = el.querySelector('table');
      else if (table && !after && el.tagName === 'P') after = el;
    }
    const rows = table ? [...table.querySelectorAll('tbody tr')] : [];
    return {
      id: h.id, title: h.textContent.trim(), visible: visible(h),
      tableVisible: visible(table),
      rows: rows.map(r => [...r.cells].map(c => visible(c) ? c.textContent.trim() : '')),
      after: after && visible(after) ? after.textContent.trim() : '',
    };
  });
  // Every table with a caption: the caption, its body rows' visible cells.
  const tables = [...document.querySelectorAll('table')].filter(t => t.caption).map(t => ({
    caption: t.caption.textContent.trim(), visible: visible(t),
    rows: [...t.querySelectorAll('tbody tr')].map(r => [...r.cells].map(c => visible(c) ? c.textContent.trim() : '')),
  }));
  return JSON.stringify({
    sections: sections,
    tables: tables,
    title: document.title,
    headline: h ? h.textContent.trim() : null,
    headlineVisible: visible(h),
    charts: charts,
    scripts: document.scripts.length,
    bodyText: document.body.innerText,
    height: Math.ceil(document.documentElement.scrollHeight),
  });
})()
"""


class Browser:
    """Chromium with the DevTools protocol on fds 3 (commands) and 4 (answers, events)."""

    def __init__(self, profile):
        to_chrome_r, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_w = os.pipe()

        def child_fds():
            os.dup2(to_chrome_r, 3)
            os.dup2(from_chrome_w, 4)

        args = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                "--hide-scrollbars", "--mute-audio", "--remote-debugging-pipe",
                "--user-data-dir=" + profile, "about:blank"]
        self.proc = subprocess.Popen(args, preexec_fn=child_fds, pass_fds=(3, 4),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.buffer = b""
        self.next_id = 0
        self.events = []
        self.deadline = time.monotonic() + TIMEOUT

    def send(self, method, params=None, session=None):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.to_chrome, json.dumps(message).encode() + b"\0")
        return self.next_id

    def receive(self):
        while b"\0" not in self.buffer:
            left = self.deadline - time.monotonic()
            if left <= 0 or not select.select([self.from_chrome], [], [], left)[0]:
                raise TimeoutError("Chromium did not answer within %d s" % TIMEOUT)
            chunk = os.read(self.from_chrome, 1 << 16)
            if not chunk:
                raise EOFError("Chromium closed the DevTools pipe")
            self.buffer += chunk
        message, _, self.buffer = self.buffer.partition(b"\0")
        return json.loads(message)

    def call(self, method, params=None, session=None):
        wanted = self.send(method, params, session)
        while True:
            message = self.receive()
            if message.get("id") == wanted:
                if "error" in message:
                    raise RuntimeError("%s: %s" % (method, message["error"]))
                return message.get("result", {})
            self.events.append(message)

    def wait_event(self, name):
        for i, event in enumerate(self.events):
            if event.get("method") == name:
                return self.events.pop(i)
        while True:
            message = self.receive()
            if message.get("method") == name:
                return message
            self.events.append(message)

    def close(self):
        try:
            self.send("Browser.close")
            self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()
            self.proc.wait()


def problems_in_events(events, page_url):
    """Console errors and warnings, exceptions, browser-log errors, outside requests."""
    out = []
    for event in events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in (
                "error", "warning", "assert"):
            text = " ".join(str(a.get("value", a.get("description", "")))
                            for a in params.get("args", []))
            out.append("console %s: %s" % (params["type"], text))
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            out.append("uncaught exception: %s" % details.get("exception", {}).get(
                "description", details.get("text", "")))
        elif method == "Log.entryAdded":
            entry = params.get("entry", {})
            if entry.get("level") in ("error", "warning"):
                out.append("browser log %s: %s %s" % (entry["level"], entry.get("text", ""),
                                                      entry.get("url", "")))
        elif method == "Network.requestWillBeSent":
            url = params.get("request", {}).get("url", "")
            if url != page_url and not url.startswith("data:"):
                out.append("request outside the report: %s" % url)
        elif method == "Network.loadingFailed":
            out.append("failed to load: %s" % params.get("errorText", ""))
    return out


def open_report(path, screenshot, width, map_screenshot=None):
    """Loads @path; returns (page facts, problems)."""
    url = "file://" + os.path.abspath(path)
    profile = tempfile.mkdtemp(prefix="copub-chromium-")
    browser = Browser(profile)
    try:
        target = browser.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = browser.call("Target.attachToTarget",
                               {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            browser.call(domain + ".enable", None, session)
        browser.call("Emulation.setDeviceMetricsOverride",
                     {"width": width, "height": 900, "deviceScaleFactor": 1,
                      "mobile": False}, session)
        browser.call("Page.navigate", {"url": url}, session)
        browser.wait_event("Page.loadEventFired")
        facts = json.loads(browser.call("Runtime.evaluate",
                                        {"expression": PAGE_CHECK, "returnByValue": True},
                                        session)["result"]["value"])
        if screenshot:
            shot = browser.call("Page.captureScreenshot",
                                {"format": "png", "captureBeyondViewport": True,
                                 "clip": {"x": 0, "y": 0, "width": width,
                                          "height": facts["height"], "scale": 1}}, session)
            with open(screenshot, "wb") as f:
                f.write(base64.b64decode(shot["data"]))
        maps = [c for c in facts["charts"] if c["isMap"]]
        if map_screenshot and maps:
            x, y, w, h = maps[0]["mapBox"]
            shot = browser.call("Page.captureScreenshot",
                                {"format": "png", "captureBeyondViewport": True,
                                 "clip": {"x": x, "y": y, "width": w, "height": h,
                                          "scale": 1}}, session)
            with open(map_screenshot, "wb") as f:
                f.write(base64.b64decode(shot["data"]))
        # Late console messages (none expected: the report has no script) arrive by now.
        browser.call("Runtime.evaluate", {"expression": "1"}, session)
        return facts, problems_in_events(browser.events, url)
    finally:
        browser.close()
        shutil.rmtree(profile, ignore_errors=True)


def check_map(c):
    """The world map's countries are there, each with its tooltip, reachable by keyboard."""
    out = []
    name = c["id"] or "the map"
    if c["countries"] < 150:
        out.append("%s has %d country elements, expected at least 150" % (name, c["countries"]))
    if c["withData"] == 0:
        out.append("%s: no country carries data (data-works)" % name)
    if c["dataWithoutTooltip"]:
        out.append("%s: %d countries with data have no <title> tooltip" % (
            name, c["dataWithoutTooltip"]))
    if c["focusable"] < c["tooltips"] or c["tooltips"] == 0:
        out.append("%s: %d of its %d described countries are focusable with a role and a "
                   "label" % (name, c["focusable"], c["tooltips"]))
    if not c["mapTable"]:
        out.append("%s has no table of its values after it" % name)
    return out


def check_page(facts, want_charts, want_map=False):
    out = []
    if want_map and not any(c["isMap"] for c in facts["charts"]):
        out.append("no world map (svg.world-map) in the page")
    if not facts["headline"]:
        out.append("no headline (#headline) in the page")
    elif not facts["headlineVisible"]:
        out.append("the headline is not visible")
    elif not re.search(r"\d+[.,]\d\s?\u202f?%", facts["headline"]):
        out.append("the headline holds no percentage: %r" % facts["headline"])
    if facts["scripts"]:
        out.append("the report holds %d script(s)" % facts["scripts"])
    if want_charts is not None and len(facts["charts"]) != want_charts:
        out.append("%d charts in the page, expected %d" % (len(facts["charts"]), want_charts))
    # UTF-8 read as Latin-1 or Windows-1252: "’" shown as "â€™", "é" as "Ã©".
    for where, text in [("the page", facts["bodyText"])] + [
            (c["id"] or "a chart", c["text"]) for c in facts["charts"]]:
        bad = re.search(r"â€|Ã[\u0080-\u00bf©¨ª«®¯´»]|\ufffd", text)
        if bad:
            out.append("%s shows mis-decoded text %r" % (where, text[max(0, bad.start() - 20):
                                                                  bad.end() + 20]))
    for c in facts["charts"]:
        name = c["id"] or "a chart"
        numbered = [h for h in c["hovers"] if re.fullmatch(r"\w*_plot_\d+", h) or not h.strip()]
        if numbered:
            out.append("%s: hovering %d series shows no name (%s)" % (
                name, len(numbered), ", ".join(repr(h) for h in numbered[:3])))
        if not c["hasSvg"]:
            out.append("%s has no SVG" % name)
        elif not c["visible"]:
            out.append("%s is not visible" % name)
        elif c["isMap"]:
            out += check_map(c)
        elif c["shapes"] < 5 or c["texts"] < 3:
            out.append("%s is empty (%d shapes, %d texts)" % (name, c["shapes"], c["texts"]))
        elif c["viewHeight"] <= 0 or abs(c["viewWidth"] / c["viewHeight"] - 16 / 9) > 0.01 \
                or abs(c["width"] / c["height"] - c["viewWidth"] / c["viewHeight"]) > 0.02:
            out.append("%s has the wrong proportions: %gx%g shown %gx%g" % (
                name, c["viewWidth"], c["viewHeight"], c["width"], c["height"]))
    return out


def check_section(facts, spec):
    """The section ID:ROWS is there, visible, with its table and the sentence after it."""
    ident, _, rows = spec.partition(":")
    found = [s for s in facts["sections"] if s["id"] == ident]
    if not found:
        return ["no section #%s in the page" % ident]
    s, out = found[0], []
    if not s["visible"]:
        out.append("section #%s: its heading is not visible" % ident)
    if not s["tableVisible"]:
        out.append("section #%s: no visible table" % ident)
    elif rows and len(s["rows"]) != int(rows):
        out.append("section #%s: %d table rows, expected %s" % (ident, len(s["rows"]), rows))
    for r in s["rows"]:
        if not all(r):
            out.append("section #%s: a row with an empty or hidden cell: %r" % (ident, r))
        elif not any(re.search(r"\d[.,]\d\s?\u202f?%|^–$", c) for c in r):
            out.append("section #%s: a row without a percentage: %r" % (ident, r))
    if not s["after"]:
        out.append("section #%s: no visible sentence after the table" % ident)
    return out


def check_table(facts, spec):
    """The table whose caption starts with CAPTION (spec CAPTION:ROWS) is there and
    visible, with ROWS body rows, no empty cell, a percentage in each row but the last
    (the n row)."""
    caption, _, rows = spec.rpartition(":")
    found = [t for t in facts["tables"] if t["caption"].startswith(caption)]
    if not found:
        return ["no table captioned %r" % caption]
    t, out = found[0], []
    if not t["visible"]:
        out.append("table %r is not visible" % caption)
    if len(t["rows"]) != int(rows):
        out.append("table %r: %d rows, expected %s" % (caption, len(t["rows"]), rows))
    for i, r in enumerate(t["rows"]):
        if not all(r):
            out.append("table %r: a row with an empty or hidden cell: %r" % (caption, r))
        elif i + 1 < len(t["rows"]) and not all(re.search(r"\d[.,]\d\s?\u202f?%", c)
                                                for c in r[1:]):
            out.append("table %r: a cell without a percentage: %r" % (caption, r))
    return out


def png_problems(path, want):
    """The PNG at @path has the size @want (w, h) and more than a few colours."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        return ["%s: %s" % (path, e.strerror)]
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        return ["%s is not a PNG" % path]
    size = struct.unpack(">II", data[16:24])
    if size != want:
        return ["%s is %dx%d, expected %dx%d" % ((path,) + size + want)]
    idat, at = b"", 8
    while at + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        if kind == b"IDAT":
            idat += data[at + 8:at + 8 + length]
        at += 12 + length
    pixels = zlib.decompress(idat)
    stride = len(pixels) // size[1]
    # Distinct values over the rows' bytes (filter bytes aside): a blank image has a few.
    values = {pixels[i] for i in range(0, len(pixels), 7) if i % stride}
    if len(values) < 16:
        return ["%s looks blank (%d distinct byte values)" % (path, len(values))]
    return []


def check_pngs(report, want):
    markdown = os.path.join(os.path.dirname(report), "report.md")
    try:
        with open(markdown, encoding="utf-8") as f:
            links = re.findall(r"!\[[^\]]*\]\(([^)\s]+\.png)\)", f.read())
    except OSError as e:
        return ["%s: %s" % (markdown, e.strerror)], 0
    out = []
    for link in links:
        out += png_problems(os.path.join(os.path.dirname(markdown), link), want)
    return out, len(links)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("report")
    parser.add_argument("--charts", type=int, help="number of charts expected")
    parser.add_argument("--screenshot", help="where to keep a full-page screenshot")
    parser.add_argument("--png-size", help="WxH of the PNG charts report.md links to")
    parser.add_argument("--width", type=int, default=1280, help="window width (1280)")
    parser.add_argument("--map", action="store_true", help="the page must show the world map")
    parser.add_argument("--map-screenshot", help="where to keep a picture of the world map")
    parser.add_argument("--section", action="append", default=[], metavar="ID:ROWS",
                        help="a section with a table of ROWS rows and a sentence after it")
    parser.add_argument("--table", action="append", default=[], metavar="CAPTION:ROWS",
                        help="a table captioned CAPTION... of ROWS rows, percentages in all "
                             "but the last")
    args = parser.parse_args()

    if not os.access(CHROMIUM, os.X_OK):
        print("check-report: %s not found (scripts/install-deps installs chromium)" % CHROMIUM)
        return 2
    try:
        facts, problems = open_report(args.report, args.screenshot, args.width,
                                      args.map_screenshot)
    except (OSError, EOFError, TimeoutError, RuntimeError) as e:
        print("check-report: Chromium failed: %s" % e)
        return 2
    problems += check_page(facts, args.charts, args.map)
    for spec in args.section:
        problems += check_section(facts, spec)
    for spec in args.table:
        problems += check_table(facts, spec)
    if args.png_size:
        want = tuple(int(v) for v in args.png_size.split("x"))
        png, n_links = check_pngs(args.report, want)
        problems += png
        if args.charts is not None and n_links != args.charts:
            problems.append("report.md links %d PNG charts, expected %d" % (n_links, args.charts))
    for p in problems:
        print("check-report: %s" % p)
    print("check-report: %s: %d chart(s), headline %r, %s" % (
        args.report, len(facts["charts"]), (facts["headline"] or "")[:60],
        "ok" if not problems else "%d problem(s)" % len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
