// Show only the parts of the condition form the chosen condition uses; the server checks everything anyway.
(function () {
  var data = document.getElementById("condition-catalogue");
  var code = document.getElementById("id_code");
  if (!data || !code) { return; }
  var catalogue = JSON.parse(data.textContent || "{}");
  function part(name) { return document.querySelector('[data-part="' + name + '"]'); }
  function update() {
    var kind = catalogue[code.value];
    var meaning = document.getElementById("condition-meaning");
    ["location", "side", "value"].forEach(function (name) { part(name).hidden = false; });
    meaning.textContent = kind ? kind.meaning : "";
    if (!kind) { return; }
    // A part with an error message stays in view, so the message can be read.
    function hide(name, hidden) { part(name).hidden = hidden && !part(name).querySelector(".is-invalid"); }
    hide("value", !kind.value);
    hide("location", kind.whole_body);
    hide("side", kind.whole_body);
    var location = document.getElementById("id_location");
    Array.prototype.forEach.call(location.options, function (option) {
      option.hidden = option.value !== "" && kind.locations.indexOf(option.value) === -1;
    });
  }
  code.addEventListener("change", update);
  update();
})();
