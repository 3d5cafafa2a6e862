// Warns before the idle timeout and lets the user stay signed in. The server enforces
// the timeout on its own; this only spares the user a surprise. Typing counts as activity:
// a lawyer writing a long intake is not signed out half way, so input sends a keepalive,
// at most once a minute (the server's idle clock only needs minutes).
(function () {
  "use strict";
  var body = document.body;
  var idle = parseInt(body.dataset.idleSeconds || "0", 10);
  var warn = parseInt(body.dataset.warnSeconds || "0", 10);
  if (!idle) { return; }
  var dialog = document.getElementById("idle-warning");
  var countdown = document.getElementById("idle-countdown");
  var stay = document.getElementById("idle-stay");
  var token = document.querySelector('meta[name="csrf-token"]').content;
  var deadline, warnTimer, tickTimer;
  var KEEPALIVE_EVERY_MS = 60 * 1000;
  var lastKeepalive = Date.now();
  var sending = false;
  // Typed into since the page loaded: at the deadline the page then stays as it is (what
  // she typed is not navigated away from; sending it later is held through sign-in).
  var dirty = false;

  function schedule() {
    deadline = Date.now() + idle * 1000;
    clearTimeout(warnTimer);
    clearInterval(tickTimer);
    warnTimer = setTimeout(showWarning, Math.max(0, (idle - warn) * 1000));
  }
  function showWarning() {
    if (dialog && !dialog.open) { dialog.showModal(); }
    tickTimer = setInterval(function () {
      var left = Math.round((deadline - Date.now()) / 1000);
      if (left <= 0) {
        clearInterval(tickTimer);
        if (!dirty) {
          window.location.assign(body.dataset.expiredUrl);
          return;
        }
        document.getElementById("idle-warning-text").hidden = true;
        document.getElementById("idle-ended-text").hidden = false;
        stay.hidden = true;
        document.getElementById("idle-back").hidden = false;
        return;
      }
      countdown.textContent = "(" + left + " s)";
    }, 1000);
  }
  function keepalive(onExpired) {
    sending = true;
    return fetch(body.dataset.keepaliveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token }
    }).then(function (response) {
      sending = false;
      if (response.ok) {
        lastKeepalive = Date.now();
        if (dialog && dialog.open) { dialog.close(); }
        schedule();
      } else {
        onExpired();
      }
    }, function () { sending = false; });
  }
  stay.addEventListener("click", function () {
    keepalive(function () { window.location.assign(body.dataset.expiredUrl); });
  });
  document.getElementById("idle-back").addEventListener("click", function () {
    dialog.close();
  });
  function typed() {
    dirty = true;
    if (sending || Date.now() - lastKeepalive < KEEPALIVE_EVERY_MS) { return; }
    // An expired session is left alone here: what she typed stays on the page, and the
    // post that sends it is held by the server through the next sign-in.
    keepalive(function () {});
  }
  document.addEventListener("input", typed, true);
  document.addEventListener("keydown", typed, true);
  schedule();
})();
