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
