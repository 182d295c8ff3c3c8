// The dashboard's collapsed sections remember whether they were open (per browser).
// Loaded as a file of our own: the CSP forbids inline script. The page works without it.
(function () {
  "use strict";
  var PREFIX = "falsifiable:dashboard:";

  function remember(root) {
    root.querySelectorAll("details[data-remember]").forEach(function (details) {
      var key = PREFIX + details.getAttribute("data-remember");
      var stored = null;
      try { stored = window.localStorage.getItem(key); } catch (e) { return; }
      if (stored === "open") { details.open = true; }
      if (stored === "closed") { details.open = false; }
      if (details.dataset.remembering) { return; }
      details.dataset.remembering = "1";
      details.addEventListener("toggle", function () {
        try { window.localStorage.setItem(key, details.open ? "open" : "closed"); } catch (e) { /* private mode */ }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { remember(document); });
  document.addEventListener("htmx:load", function (event) { remember(event.target); });
})();
