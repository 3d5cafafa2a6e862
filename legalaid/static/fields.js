// Character counters for fields with a limit. The page sets no maxlength (the browser
// would cut pasted text silently): the count turns into a message when the text is too
// long, and the server refuses it on save with the text kept.
(function () {
  "use strict";
  var counters = document.querySelectorAll(".char-count[data-for]");
  Array.prototype.forEach.call(counters, function (counter) {
    var input = document.getElementById(counter.dataset.for);
    if (!input) { return; }
    var limit = parseInt(input.dataset.limit || "0", 10);
    if (!limit) { return; }
    var announced = false;
    function update() {
      var length = input.value.length;
      var over = length - limit;
      if (over > 0) {
        counter.textContent = counter.dataset.over.replace("{over}", String(over));
        counter.classList.add("char-count-over");
        input.setAttribute("aria-invalid", "true");
        // Said once when crossing the limit, not at every key.
        if (!announced) { counter.setAttribute("role", "alert"); announced = true; }
      } else {
        counter.textContent = counter.dataset.count.replace("{count}", String(length));
        counter.classList.remove("char-count-over");
        counter.removeAttribute("role");
        announced = false;
        if (!input.closest(".field").querySelector(".field-error")) {
          input.removeAttribute("aria-invalid");
        }
      }
    }
    input.addEventListener("input", update);
    update();
  });
})();
