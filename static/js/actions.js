// Small page actions without inline handlers (the Content-Security-Policy allows no inline script):
// a button with data-print prints the page; a submit button with data-confirm asks first.
document.addEventListener("click", function (event) {
  var target = event.target.closest("[data-print], [data-confirm]");
  if (!target) { return; }
  if (target.hasAttribute("data-print")) {
    window.print();
  } else if (!window.confirm(target.getAttribute("data-confirm"))) {
    event.preventDefault();
  }
});

// A form marked data-busy that takes a while (checking or importing a large file): on submit its
// button is disabled, so a second click cannot send it again, and says what is happening.
document.addEventListener("submit", function (event) {
  var form = event.target.closest("form[data-busy]");
  if (!form) { return; }
  var button = event.submitter || form.querySelector("button[type=submit]");
  if (!button || !button.hasAttribute("data-busy-text")) { return; }
  window.setTimeout(function () { button.disabled = true; }, 0);
  button.innerHTML = '<span class="spinner-border spinner-border-sm me-1" aria-hidden="true"></span>';
  button.appendChild(document.createTextNode(button.getAttribute("data-busy-text")));
  form.setAttribute("aria-busy", "true");
});

// A panel marked data-fragment="URL" is filled from that URL once the page is shown (the client
// page's recent changes, measures, documents and letters; the dashboard's clients needing
// attention): the page itself does not wait for it. If it cannot be read, the panel shows its
// own <template data-fragment-failed> (what failed, and where to read it whole).
document.querySelectorAll("[data-fragment]").forEach(function (panel) {
  var url = panel.getAttribute("data-fragment");
  var failedText = panel.querySelector("template[data-fragment-failed]");
  function failed() {
    var status = panel.querySelector("[data-fragment-status]") || panel;
    status.textContent = "";
    if (failedText) { status.appendChild(failedText.content.cloneNode(true)); }
    panel.removeAttribute("aria-busy");
  }
  fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
    .then(function (response) {
      if (!response.ok || response.redirected) { throw new Error(String(response.status)); }
      return response.text();
    })
    .then(function (html) {
      panel.innerHTML = html;
      panel.removeAttribute("aria-busy");
      // The address names a part of what was loaded (#attachments after a document is attached): go there now.
      var target = location.hash.length > 1 && document.getElementById(location.hash.slice(1));
      if (target && panel.contains(target)) { target.scrollIntoView(); }
    })
    .catch(failed);
});
