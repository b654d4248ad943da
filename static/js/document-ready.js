// A document being prepared (the server answered 202): ask for it again every few seconds and
// download it once it is there. A meta refresh would reload the page under its reader on a timer
// (WCAG 2.2.1); this leaves the page alone and says in its status line when the download starts.
// Without JavaScript, the page's "try again" link does the same.
(() => {
  const link = document.querySelector("[data-document-when-ready]");
  if (!link) return;
  const status = document.getElementById(link.dataset.documentWhenReady);
  const again = () => window.setTimeout(check, 3000);
  const check = () => {
    fetch(link.href, { credentials: "same-origin", cache: "no-store" }).then((response) => {
      if (response.body) response.body.cancel();
      if (response.status !== 200) return again();
      if (status) status.textContent = status.dataset.ready;
      window.location.assign(link.href);
    }, again);
  };
  again();
})();
