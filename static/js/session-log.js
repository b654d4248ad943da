// The session log's autosave, beyond what htmx does: the status says when a save did not reach
// us (offline, server error) instead of swapping an error page into the status line, and text
// typed in the last moments before the tab closes is sent with a beacon. The text is kept on the
// server only (signed out, the page's draft token keeps it as a server-side draft); private notes
// are never copied into browser storage.
(function () {
  "use strict";
  const form = document.getElementById("session-log");
  const status = document.getElementById("save-status");
  if (!form || !status) return;
  let unsaved = false;

  function notSaved(reason) {
    status.textContent = "Not saved: " + reason + " Your text is still here; keep this page open.";
    status.classList.add("field-error");
  }

  form.addEventListener("input", function () { unsaved = true; });
  form.addEventListener("change", function () { unsaved = true; });
  form.addEventListener("htmx:beforeRequest", function () { unsaved = false; });
  form.addEventListener("htmx:beforeSwap", function (event) {
    const xhr = event.detail.xhr;
    if (xhr.status === 422) {
      unsaved = true;  // refused (too long, say): the answer says why, and is swapped in as the status
    } else if (xhr.status >= 400) {
      event.detail.shouldSwap = false;
      unsaved = true;
      notSaved("the server refused the save (" + xhr.status + ").");
    } else {
      status.classList.remove("field-error");
    }
  });
  form.addEventListener("htmx:sendError", function () {
    unsaved = true;
    notSaved("no connection. It saves again as soon as you type with a connection.");
  });

  // Closing or leaving the tab within the autosave's delay: send what is new right away.
  function flush() {
    if (!unsaved || !navigator.sendBeacon) return;
    if (navigator.sendBeacon(form.getAttribute("hx-post"), new FormData(form))) unsaved = false;
  }
  window.addEventListener("pagehide", flush);
  // Back from the browser's page cache after a flush, the page's version is stale: reload it.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) window.location.reload();
  });
  // A submit saves everything itself.
  form.addEventListener("submit", function () { unsaved = false; });
})();
