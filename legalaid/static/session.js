// Warns before the idle timeout and lets the user stay signed in. The server enforces
// the timeout on its own; this only spares the user a surprise.
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
        window.location.assign(body.dataset.expiredUrl);
        return;
      }
      countdown.textContent = "(" + left + " s)";
    }, 1000);
  }
  stay.addEventListener("click", function () {
    fetch(body.dataset.keepaliveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token }
    }).then(function (response) {
      if (response.ok) {
        dialog.close();
        schedule();
      } else {
        window.location.assign(body.dataset.expiredUrl);
      }
    });
  });
  schedule();
})();
