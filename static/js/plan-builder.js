// Progressive enhancement: refresh the proposal as soon as the date or regions change.
// Without JavaScript the "Show the proposal" button does the same with a plain GET.
(function () {
  var form = document.getElementById("plan-request");
  if (!form) return;
  var timer = null;
  function refresh() {
    var params = new URLSearchParams(new FormData(form));
    params.delete("csrfmiddlewaretoken");
    var url = form.action.split("?")[0] + "?" + params.toString();
    fetch(url, { headers: { "X-Requested-With": "fetch" } })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("proposal");
        var freshForm = doc.getElementById("plan-request");
        if (fresh) document.getElementById("proposal").replaceWith(fresh);
        // The save button appears once there is a proposal to save.
        var actions = form.querySelector(".d-flex.flex-wrap.gap-2");
        var freshActions = freshForm && freshForm.querySelector(".d-flex.flex-wrap.gap-2");
        if (actions && freshActions) actions.innerHTML = freshActions.innerHTML;
        history.replaceState(null, "", url);
      });
  }
  form.addEventListener("change", function (event) {
    if (event.target.name === "goals") return;
    clearTimeout(timer);
    timer = setTimeout(refresh, 150);
  });
})();
