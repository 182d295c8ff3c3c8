// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";

  // Sign-up proposes the browser's time zone (the field stays editable).
  function proposeTimezone(root) {
    root.querySelectorAll("[data-detect-timezone]").forEach(function (input) {
      if (!input.value || input.value === "UTC") {
        try {
          input.value = Intl.DateTimeFormat().resolvedOptions().timeZone || input.value;
        } catch (e) { /* keep the server's default */ }
      }
    });
  }

  // Buttons that need a confirmation before a destructive or irreversible post.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });

  document.addEventListener("DOMContentLoaded", function () { proposeTimezone(document); });
  document.addEventListener("htmx:load", function (event) { proposeTimezone(event.target); });
})();
