// The idle timeout's warning: a minute before the server ends a session left idle, a banner offers
// "Stay signed in", which pings the keep-alive URL. Working on the page (typing, clicking) pings it
// too, at most once a minute, so a long form is not lost. Before it warns, and before it leaves,
// the page asks the server how long is left (GET, which is not activity): work in another tab
// keeps this one, and what is typed in it, as it is. When the time is really up, the page is
// loaded again and the server sends it to the sign-in page.
// Signing out in one tab clears the others: they are told (BroadcastChannel), ask the server, and
// once it says the session is over they load again, onto the sign-in page. A tab shown again after
// a while asks too, so a client's record is not left on a screen after the session ended elsewhere.
(function () {
  var box = document.getElementById("idle-timeout");
  if (!box) { return; }
  var WARN_SECONDS = 60;
  var PING_EVERY_MS = 60 * 1000;
  var countdown = box.querySelector("[data-idle-countdown]");
  var stay = box.querySelector("[data-stay-signed-in]");
  var deadline = 0;
  var lastPing = Date.now();
  var warnTimer = null;
  var endTimer = null;
  var tickTimer = null;

  function tick() {
    var seconds = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    countdown.textContent = seconds + (seconds === 1 ? " second" : " seconds");
  }

  function showWarning() {
    box.hidden = false;
    tick();
    tickTimer = window.setInterval(tick, 1000);
    stay.focus();
  }

  function leave() {
    window.location.assign(window.location.href);
  }

  // Seconds left on the server: 0 when it says the session is over (401), null when it cannot say (offline).
  function secondsLeft() {
    return window.fetch(box.dataset.keepAliveUrl, {
      method: "GET",
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      if (response.status === 401) { return { seconds_left: 0 }; }
      return response.ok ? response.json() : null;
    }).then(function (data) {
      return data ? data.seconds_left : null;
    }).catch(function () { return null; });
  }

  // Another tab signed out: leave once the server says so (the sign-out may still be on its way).
  function signedOutElsewhere(attempt) {
    secondsLeft().then(function (left) {
      if (left === 0) { leave(); } else if (attempt < 5) { window.setTimeout(signedOutElsewhere, 400 * (attempt + 1), attempt + 1); }
    });
  }

  function warn() {
    secondsLeft().then(function (left) {
      if (left !== null && left > WARN_SECONDS + 5) { schedule(left); } else { showWarning(); }
    });
  }

  function end() {
    secondsLeft().then(function (left) {
      if (left !== null && left > 5) { schedule(left); } else { leave(); }
    });
  }

  function schedule(secondsLeft) {
    window.clearTimeout(warnTimer);
    window.clearTimeout(endTimer);
    window.clearInterval(tickTimer);
    box.hidden = true;
    deadline = Date.now() + secondsLeft * 1000;
    warnTimer = window.setTimeout(warn, Math.max(0, secondsLeft - WARN_SECONDS) * 1000);
    endTimer = window.setTimeout(end, Math.max(0, secondsLeft) * 1000 + 500);
  }

  function ping() {
    lastPing = Date.now();
    window.fetch(box.dataset.keepAliveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": box.dataset.csrfToken, "Accept": "application/json" }
    }).then(function (response) {
      if (!response.ok) { leave(); return null; }
      return response.json();
    }).then(function (data) {
      if (data) { schedule(data.seconds_left); }
    }).catch(function () { /* offline: the timers stand */ });
  }

  stay.addEventListener("click", ping);
  var channel = "BroadcastChannel" in window ? new window.BroadcastChannel("planner-session") : null;
  if (channel) {
    channel.onmessage = function (event) { if (event.data === "signed-out") { signedOutElsewhere(0); } };
    document.addEventListener("submit", function (event) {
      if (event.target.closest("form[data-sign-out]")) { channel.postMessage("signed-out"); }
    });
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState !== "visible") { return; }
    secondsLeft().then(function (left) {
      if (left === 0) { leave(); } else if (left !== null) { schedule(left); }
    });
  });
  ["keydown", "input", "pointerdown"].forEach(function (name) {
    document.addEventListener(name, function (event) {
      if (box.contains(event.target)) { return; }
      if (box.hidden && Date.now() - lastPing > PING_EVERY_MS) { ping(); }
    }, { passive: true });
  });
  schedule(parseInt(box.dataset.secondsLeft, 10));
}());
