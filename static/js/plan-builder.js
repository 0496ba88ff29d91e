// Progressive enhancement of the plan builder: the proposal follows the therapist's choices.
// Without JavaScript the same buttons submit the form and the page comes back with the proposal.
(function () {
  var form = document.getElementById("plan-request");
  if (!form) return;
  document.documentElement.classList.add("js");
  var timer = null;
  var latest = 0;

  function refresh(keepAcknowledged) {
    var params = new URLSearchParams(new FormData(form));
    params.delete("csrfmiddlewaretoken");
    // New places or a new day bring new notes: they must be read again.
    if (!keepAcknowledged) params.delete("notes_acknowledged");
    if (!params.has("regions")) params.set("preset", "");
    var url = form.action.split("?")[0] + "?" + params.toString();
    var request = ++latest;
    form.setAttribute("aria-busy", "true");
    fetch(url, { headers: { "X-Requested-With": "fetch" }, credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        if (request !== latest) return;  // a newer choice is already on its way
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("proposal");
        if (fresh) document.getElementById("proposal").replaceWith(fresh);
        form.removeAttribute("aria-busy");
        history.replaceState(null, "", url);
      });
  }

  function later(keepAcknowledged) {
    clearTimeout(timer);
    timer = setTimeout(function () { refresh(keepAcknowledged); }, 150);
  }

  form.addEventListener("change", function (event) {
    var name = event.target.name;
    if (name === "goals" || name === "notes_acknowledged") return;
    later(name === "time");
  });

  form.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button) return;
    if (button.name === "preset") {
      event.preventDefault();
      var wanted = button.dataset.regions.split(",");
      form.querySelectorAll("input[name=regions]").forEach(function (box) {
        box.checked = wanted.indexOf(box.value) !== -1;
      });
      later(false);
    } else if (button.name === "use_time") {
      event.preventDefault();
      form.querySelector("input[name=time]").value = button.value;
      later(true);
    }
  });
})();
