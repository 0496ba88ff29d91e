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
