// FailSafe portal: the one first-party script. No inline script anywhere (the CSP forbids it).
// Behaviour is declared with htmx attributes; this file only adds what htmx does not do.
(function () {
  "use strict";

  // Surface CSP violations in the console, where people (and the browser tests) look.
  document.addEventListener("securitypolicyviolation", function (event) {
    console.error("CSP violation: " + event.violatedDirective + " " + (event.blockedURI || ""));
  });

  // Move focus to content that htmx swapped in when it asks for it (keyboard and screen
  // reader users otherwise lose their place after a partial update).
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail && event.detail.target;
    if (target && target.hasAttribute && target.hasAttribute("data-focus-after-swap")) {
      target.focus();
    }
  });
})();
