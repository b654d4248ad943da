// Forms with data-confirm="Question?" ask before they are sent (e.g. cancelling a call).
document.addEventListener("submit", (event) => {
  const question = event.target.dataset && event.target.dataset.confirm;
  if (question && !window.confirm(question)) event.preventDefault();
});
