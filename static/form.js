// Forms sent back with errors: move focus to the error summary, so a screen reader reads
// it and a keyboard user starts there, and make its links focus the input itself (a plain
// #fragment link only scrolls). Without this script the links still scroll to the inputs.
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (!summary) {
    return;
  }
  summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    if (!link) {
      return;
    }
    var input = document.getElementById(link.getAttribute("href").slice(1));
    if (!input) {
      return;
    }
    event.preventDefault();
    // The label above the input comes into view too.
    var label = document.querySelector("label[for='" + input.id + "']");
    (label || input).scrollIntoView({ block: "start" });
    input.focus({ preventScroll: true });
  });
})();
