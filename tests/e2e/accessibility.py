"""axe-core on every page a browser test visits, at a desktop and a phone width.

How a page gets checked, without a test asking for it:

- Each watched browser context marks a page "to check" when a document finishes loading
  (`load`) and when htmx has swapped and settled new content into it (an init script calls a
  binding; both are CDP-injected, so the site's Content-Security-Policy does not apply to them).
- The check itself runs in the test's own greenlet, just before the test's next Playwright call
  (and, for what is still marked, when its browser contexts close). So axe sees the page as the
  test landed on it, never racing the test's next click; a listener running axe while the test
  goes on would see half-changed pages and lose checks to navigations.
- A state is checked once per run: its key is the path (numbers and tokens folded) and a digest
  of the page's element kinds (tag, classes, role, type, labelling attributes, empty names), so
  the tenth engagement page of the same shape is not checked again, but a form showing errors
  or a page seen in another role is.
- axe is injected with Playwright's evaluate (DevTools evaluation, outside the page's CSP, so no
  "Refused to ..." console error, and no `bypass_csp` that would blind the CSP checks of the
  same test), then runs inside `wait_for_function`, whose timeout Playwright enforces from
  outside the page: a check that does not finish fails the test with a clear message within
  CHECK_TIMEOUT_MS and the test's remaining checks are skipped, never a hung suite.
- A page without JavaScript (a context with it disabled) cannot run axe; its markup is checked
  in a stand-in page of the checker's own, at the same address, with scripts blocked.

COACHHUB_A11Y_LOG=<file> appends each check's time, key and address to <file>.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

import greenlet
from axe_playwright_python.base import AXE_SCRIPT
from playwright._impl._sync_base import SyncBase
from playwright.sync_api import BrowserContext, Error, Page, Route, TimeoutError

# WCAG 2.0, 2.1 and 2.2 at levels A and AA (axe's tags; 2.2 added AA rules only, e.g. target size).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
WIDTHS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
# One axe run on one page at one width; a few hundred ms is usual on this machine.
CHECK_TIMEOUT_MS = 15_000
# Reading a page's shape (a few ms).
SHAPE_TIMEOUT_MS = 5_000
TARGETS_SHOWN = 8

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}

# Marks the page to check after htmx settles new content (the binding is exposed per context).
HTMX_SETTLED_SCRIPT = """
document.addEventListener("htmx:afterSettle", () => {
  if (typeof window.__coachhubA11yChanged === "function") window.__coachhubA11yChanged();
});
"""

# What distinguishes one page state from another for accessibility: the kinds of elements shown,
# not their text or number. "none" for what is not an HTML page (a PDF, an image).
SHAPE_SCRIPT = r"""() => {
  if (document.contentType !== "text/html" || !document.body) return "none";
  const kinds = new Set(["lang=" + document.documentElement.lang, "title=" + !!document.title.trim()]);
  const shown = ["role", "type", "tabindex", "for", "alt", "title", "aria-label", "aria-labelledby",
                 "aria-describedby", "aria-hidden", "hidden", "disabled", "required", "open"];
  for (const el of document.body.querySelectorAll("*")) {
    let kind = el.tagName + "." + [...el.classList].sort().join(".");
    for (const name of shown) {
      if (el.hasAttribute(name)) kind += "[" + name + (name === "role" || name === "type" ? "=" + el.getAttribute(name) : "") + "]";
    }
    if (/^(A|BUTTON|LABEL|H[1-6]|TH|SUMMARY|LEGEND|CAPTION|OPTION|TITLE)$/.test(el.tagName) && !el.textContent.trim()) kind += ":empty";
    kinds.add(kind);
  }
  const text = [...kinds].sort().join("|");
  let hash = 5381;
  for (let i = 0; i < text.length; i++) hash = ((hash * 33) ^ text.charCodeAt(i)) >>> 0;
  return hash.toString(36) + "/" + kinds.size;
}"""

# axe reads a stylesheet that has @import rules (Django admin's forms.css) by copying its rules
# into a <style> of a scratch document, which inherits the page's CSP: a refused inline style, and
# a CSP failure of the test that the checker, not the site, caused. Its copies go into constructed
# stylesheets instead (CSSOM, which the CSP allows), with the same rules for axe to read. Should a
# new axe build copy differently, the refusal shows again: loud, not silent.
CSSOM_COPIES_SCRIPT = """() => {
  if (window.__coachhubAxeCssom) return;
  window.__coachhubAxeCssom = true;
  const create = DOMImplementation.prototype.createHTMLDocument;
  DOMImplementation.prototype.createHTMLDocument = function (title) {
    const scratch = create.apply(this, arguments);
    if (title !== "Dynamic document for loading cssom") return scratch;
    const createElement = scratch.createElement.bind(scratch);
    scratch.createElement = function (name) {
      if (String(name).toLowerCase() !== "style") return createElement.apply(null, arguments);
      const sheet = new CSSStyleSheet();
      let text = "";
      return { sheet, appendChild(node) { text += node.textContent; sheet.replaceSync(text); return node; } };
    };
    const append = scratch.head.appendChild.bind(scratch.head);
    scratch.head.appendChild = (node) => (node instanceof Node ? append(node) : node);
    return scratch;
  };
}"""

# Starts one axe run (keyed, so polling does not start another) and answers its violations once
# done; undefined (keep polling) until then; {missing} on a document axe is not in yet.
RUN_SCRIPT = """({ run, options }) => {
  if (typeof window.axe !== "object") return { missing: true };
  const runs = (window.__coachhubAxeRuns ||= {});
  if (!runs[run]) {
    runs[run] = { done: false };
    window.axe.run(document, options).then(
      (results) => { runs[run] = { done: true, violations: results.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target.join(" "),
          why: [...n.any, ...n.all, ...n.none].map((check) => check.message).filter(Boolean)[0] || "" })) })) }; },
      (error) => { runs[run] = { done: true, error: String(error) }; });
  }
  return runs[run].done ? runs[run] : undefined;
}"""

INJECT_SCRIPT = AXE_SCRIPT + "\n;(" + CSSOM_COPIES_SCRIPT + ")();"

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,}$|^\d+$|^[0-9a-f-]{32,36}$")

# Page states checked in this run (both widths), across tests.
_checked: set[tuple[str, str]] = set()
_current: AccessibilityWatch | None = None


def path_template(url: str) -> str:
    """/engagements/12/sessions/?tab=log -> /engagements/<id>/sessions/?tab (which objects and
    values do not change a page's markup kinds; which page and which parameters do)."""
    parts = urlsplit(url)
    segments = ["<id>" if _TOKEN.match(segment) else segment for segment in parts.path.split("/")]
    keys = sorted({key for key, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return parts.hostname.split(".")[0] + "/".join(segments) + ("?" + "&".join(keys) if keys else "")


@dataclass
class AccessibilityWatch:
    """One test's accessibility checks: what is marked to check, and what failed."""

    violations: list[str]
    test_greenlet: greenlet.greenlet = field(default_factory=greenlet.getcurrent)
    pending: dict[Page, None] = field(default_factory=dict)
    without_scripts: list[BrowserContext] = field(default_factory=list)
    stand_in: Page | None = None
    stand_in_document: tuple[str, str] = ("", "")
    checking: bool = False
    stopped: bool = False
    runs: int = 0

    def watch(self, context: BrowserContext, *, scripts: bool = True) -> BrowserContext:
        """Check the pages of `context` (`scripts=False`: a context with JavaScript disabled)."""
        if scripts:
            context.add_init_script(script=HTMX_SETTLED_SCRIPT)
            context.expose_binding("__coachhubA11yChanged", lambda source: self.mark(source["page"]))
        else:
            self.without_scripts.append(context)
        context.on("page", self._watch_page)
        for page in context.pages:
            self._watch_page(page)
        return context

    def _watch_page(self, page: Page) -> None:
        page.on("load", self.mark)
        page.on("close", lambda closed: self.pending.pop(closed, None))

    def mark(self, page: Page) -> None:
        if not page.is_closed():
            self.pending[page] = None

    def check_pending(self) -> None:
        """Check every page marked since the last check (in the test's greenlet only)."""
        if self.checking or self.stopped or not self.pending or greenlet.getcurrent() is not self.test_greenlet:
            return
        self.checking = True
        try:
            while self.pending and not self.stopped:
                page = next(iter(self.pending))
                del self.pending[page]
                if not page.is_closed() and page.url.startswith("http"):
                    self._check(page)
        finally:
            self.checking = False

    def close(self) -> None:
        if self.stand_in is not None:
            self.stand_in.context.close()
            self.stand_in = None

    def _check(self, page: Page) -> None:
        url = page.url
        scripts = page.context not in self.without_scripts
        where = url if scripts else f"{url} (without JavaScript)"
        try:
            shape = page.wait_for_function(SHAPE_SCRIPT, timeout=SHAPE_TIMEOUT_MS).json_value()
            key = (path_template(url) + ("" if scripts else " no-js"), shape)
            if shape == "none" or key in _checked:
                return
            started = time.monotonic()
            found = self._run_at_each_width(page if scripts else self._stand_in_for(page))
        except TimeoutError as error:
            self.stopped = True
            self.violations.append(
                f"{where}: the accessibility check did not finish within its time "
                f"({error.message.splitlines()[0]}); no further accessibility checks in this test"
            )
            return
        except Error as error:
            if page.is_closed() or "context was destroyed" in error.message or "navigat" in error.message:
                return  # the page moved on by itself: its next document is checked when it loads
            self.stopped = True
            self.violations.append(f"{where}: axe could not run: {error.message.splitlines()[0]}")
            return
        _checked.add(key)
        if os.environ.get("COACHHUB_A11Y_LOG"):
            with open(os.environ["COACHHUB_A11Y_LOG"], "a") as log:
                log.write(f"{time.monotonic() - started:.2f}\t{key}\t{url}\n")
        self._report(where, found)

    def _run_at_each_width(self, page: Page) -> dict[str, list[dict]]:
        """axe at each width; the page is left at the size it had (tests run at the desktop one,
        so usually one resize there and one back)."""
        original_size = page.viewport_size
        try:
            found = {}
            for width, size in WIDTHS.items():
                if page.viewport_size != size:
                    page.set_viewport_size(size)
                found[width] = self._run_axe(page)
            return found
        finally:
            if original_size and not page.is_closed() and page.viewport_size != original_size:
                page.set_viewport_size(original_size)

    def _run_axe(self, page: Page) -> list[dict]:
        self.runs += 1
        arg = {"run": self.runs, "options": AXE_OPTIONS}
        result = page.wait_for_function(RUN_SCRIPT, arg=arg, timeout=CHECK_TIMEOUT_MS, polling=50).json_value()
        if result.get("missing"):  # the first run on this document brings axe
            page.evaluate(INJECT_SCRIPT)
            result = page.wait_for_function(RUN_SCRIPT, arg=arg, timeout=CHECK_TIMEOUT_MS, polling=50).json_value()
        if "error" in result:
            raise Error(f"axe failed: {result['error']}")
        return result["violations"]

    def _stand_in_for(self, page: Page) -> Page:
        """A page without JavaScript cannot run axe (it runs on the page's own event loop, which
        is off). The same markup is shown, scripts blocked, at the same address (so styles and
        images load as for the visitor) in a context of the checker's own, and checked there."""
        address = page.url.split("#")[0]
        self.stand_in_document = (address, page.content())
        if self.stand_in is None:
            context = page.context.browser.new_context()
            context.set_default_timeout(CHECK_TIMEOUT_MS)
            context.route("**/*", self._serve_stand_in)
            self.stand_in = context.new_page()
        self.stand_in.context.clear_cookies()
        self.stand_in.context.add_cookies(page.context.cookies())
        self.stand_in.goto(address, wait_until="load")
        return self.stand_in

    def _serve_stand_in(self, route: Route) -> None:
        request = route.request
        if request.resource_type == "document" and request.url == self.stand_in_document[0]:
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=self.stand_in_document[1])
        elif request.resource_type == "script":
            route.abort()
        else:
            route.continue_()

    def _report(self, where: str, found: dict[str, list[dict]]) -> None:
        for width, violations in found.items():
            size = WIDTHS[width]
            for violation in violations:
                nodes = violation["nodes"]
                shown = "\n      ".join(f"{node['target']}: {node['why'][:200]}" for node in nodes[:TARGETS_SHOWN])
                more = f"\n      … and {len(nodes) - TARGETS_SHOWN} more" if len(nodes) > TARGETS_SHOWN else ""
                self.violations.append(
                    f"{where} at {width} {size['width']}×{size['height']}: {violation['id']} "
                    f"({violation['impact']}) {violation['help']}\n      {shown}{more}"
                )


def start(violations: list[str]) -> AccessibilityWatch:
    global _current
    _current = AccessibilityWatch(violations)
    return _current


def stop() -> None:
    global _current
    if _current is not None:
        _current.close()
    _current = None


_sync = SyncBase._sync


def _check_then_sync(self: SyncBase, awaitable):
    """Every sync Playwright call of a test first checks the pages marked since its last call."""
    __tracebackhide__ = True
    if _current is not None and _current.pending and not _current.checking:
        _current.check_pending()
    return _sync(self, awaitable)


def install() -> None:
    """Hook the check into Playwright's sync API (one private method, the one every call passes
    through; if a Playwright upgrade renames it, this fails loudly rather than checking nothing)."""
    assert callable(getattr(SyncBase, "_sync", None)), "Playwright's SyncBase._sync is gone: rewire tests/e2e/accessibility.py"
    SyncBase._sync = _check_then_sync

