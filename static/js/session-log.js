// The session log's autosave status. The text stays in the page whatever happens; this says so
// when a save did not reach us (signed out, offline, server error), instead of showing a login
// page in the status line. Private notes are never copied into browser storage.
(function () {
  "use strict";
  const form = document.getElementById("session-log");
  const status = document.getElementById("save-status");
  if (!form || !status) return;

  function notSaved(reason) {
    status.textContent = "Not saved: " + reason + " Your text is still here; keep this page open.";
    status.classList.add("field-error");
  }

  form.addEventListener("htmx:beforeSwap", function (event) {
    const xhr = event.detail.xhr;
    if (xhr.responseURL && xhr.responseURL.indexOf("/accounts/login") !== -1) {
      event.detail.shouldSwap = false;
      notSaved("you have been signed out. Sign in again in another tab, then type here to save.");
    } else if (xhr.status >= 400) {
      event.detail.shouldSwap = false;
      notSaved("the server refused the save (" + xhr.status + ").");
    } else {
      status.classList.remove("field-error");
    }
  });
  form.addEventListener("htmx:sendError", function () {
    notSaved("no connection. It saves again as soon as you type with a connection.");
  });
})();
