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

  // --- Entering predictions: quick resolve-by dates and the "n" shortcut -------------

  // Quick-date buttons put their words in the resolve-by box (the server reads them) and
  // tell htmx, so the capture preview follows.
  function showQuickDates(root) {
    root.querySelectorAll("[data-quick-dates]").forEach(function (box) { box.hidden = false; });
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-date-words]");
    var input = button && document.getElementById(button.getAttribute("data-date-target"));
    if (!input) { return; }
    input.value = button.getAttribute("data-date-words");
    input.dispatchEvent(new Event("input", { bubbles: true }));
    input.focus();
  });

  // A live reading that refuses what was typed marks its box invalid, as the server's
  // errors do; "0.3% — did you mean 30%?" offers both readings as buttons.
  document.addEventListener("htmx:afterSwap", function (event) {
    var output = event.target;
    if (!output.matches || !output.matches(".probability-reading")) { return; }
    var input = document.getElementById(output.getAttribute("for"));
    if (!input) { return; }
    if (output.querySelector(".reading-error")) {
      input.setAttribute("aria-invalid", "true");
    } else if (!input.closest(".form-row").querySelector(".errorlist")) {
      input.removeAttribute("aria-invalid");
    }
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-set-probability]");
    var output = button && button.closest(".probability-reading");
    var input = output && document.getElementById(output.getAttribute("for"));
    if (!input) { return; }
    input.value = button.getAttribute("data-set-probability");
    input.dispatchEvent(new Event("input", { bubbles: true }));
    input.focus();
  });

  // --- Multiple-choice option rows: add and remove in place ----------------------------
  // Without this, "Add an option" and "Remove" post the form and it comes back filled in.
  // Rows are renumbered after each change, so names stay label_0…label_n-1 and the hidden
  // option_count the server reads stays right.
  var ROW_NAME = /(label|prob)_\d+/g;
  function renumberOptions(box) {
    var rows = box.querySelectorAll("[data-option-row]");
    var min = parseInt(box.getAttribute("data-min-options"), 10);
    var max = parseInt(box.getAttribute("data-max-options"), 10);
    rows.forEach(function (row, i) {
      row.querySelectorAll("[name], [id], [for], [aria-describedby], [data-doubt-for]").forEach(function (el) {
        ["name", "id", "for", "aria-describedby", "data-doubt-for"].forEach(function (attr) {
          var value = el.getAttribute(attr);
          if (value) { el.setAttribute(attr, value.replace(ROW_NAME, "$1_" + i)); }
        });
      });
      row.querySelectorAll("label").forEach(function (label) {
        label.textContent = label.textContent.replace(/(ption) \d+/, "$1 " + (i + 1));
      });
      var remove = row.querySelector("[name=remove_option]");
      remove.value = String(i);
      remove.setAttribute("aria-label", "Remove option " + (i + 1));
      remove.hidden = rows.length <= min;
    });
    var form = box.closest("form");
    form.querySelector("[name=option_count]").value = String(rows.length);
    box.querySelector("[data-add-option]").hidden = rows.length >= max;
    var list = box.querySelector("[data-option-list]");
    if (window.htmx) { window.htmx.trigger(list, "options-changed"); }
  }
  document.addEventListener("click", function (event) {
    var box = event.target.closest("[data-option-rows]");
    if (!box) { return; }
    var add = event.target.closest("[data-add-option]");
    var remove = event.target.closest("[name=remove_option]");
    if (add) {
      event.preventDefault();
      var rows = box.querySelectorAll("[data-option-row]");
      var last = rows[rows.length - 1];
      var row = last.cloneNode(true);
      row.querySelectorAll("input").forEach(function (input) {
        input.value = "";
        input.removeAttribute("aria-invalid");
        input.removeAttribute("autofocus");
      });
      row.querySelectorAll(".errorlist, .probability-doubt").forEach(function (el) { el.remove(); });
      row.querySelectorAll("output").forEach(function (el) { el.textContent = ""; });
      last.insertAdjacentElement("afterend", row);
      renumberOptions(box);
      if (window.htmx) { window.htmx.process(row); }
      row.querySelector("input").focus();
      box.querySelector(".rows-note").textContent = "Added option " + (rows.length + 1) + ".";
    } else if (remove) {
      event.preventDefault();
      var gone = remove.closest("[data-option-row]");
      var next = gone.nextElementSibling || gone.previousElementSibling;
      var number = parseInt(remove.value, 10) + 1;
      gone.remove();
      renumberOptions(box);
      next.querySelector("input").focus();
      box.querySelector(".rows-note").textContent = "Removed option " + number + ".";
    }
  });

  // "n" opens the capture line from any page, unless turned off (kept in localStorage).
  var SHORTCUT_KEY = "falsifiable.shortcut-n";
  function shortcutOn() {
    try { return window.localStorage.getItem(SHORTCUT_KEY) !== "off"; } catch (e) { return true; }
  }
  function showShortcutHint() {
    var hint = document.querySelector("[data-shortcut-hint]");
    if (!hint) { return; }
    hint.hidden = false;
    var on = shortcutOn();
    hint.querySelector("[data-shortcut-state]").textContent = on
      ? "Press n anywhere to write a new prediction."
      : "The n shortcut is off.";
    hint.querySelector("[data-shortcut-toggle]").textContent = on ? "Turn off" : "Turn on";
  }
  document.addEventListener("click", function (event) {
    if (!event.target.closest("[data-shortcut-toggle]")) { return; }
    try { window.localStorage.setItem(SHORTCUT_KEY, shortcutOn() ? "off" : "on"); } catch (e) { /* private mode */ }
    showShortcutHint();
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "n" || event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) { return; }
    var target = event.target;
    if (target.closest && target.closest("input, textarea, select, [contenteditable]")) { return; }
    if (!shortcutOn()) { return; }
    var line = document.getElementById("id_line");
    var url = document.body.getAttribute("data-capture-url");
    if (line) {
      event.preventDefault();
      line.focus();
    } else if (url) {
      event.preventDefault();
      window.location.assign(url);
    }
  });

  // A claim longer than its limit is refused by the server, never cut by the browser;
  // the counter says so while typing.
  function countChars(input) {
    var max = parseInt(input.getAttribute("data-max-chars"), 10);
    var counter = input.parentNode.querySelector(".char-count");
    if (!counter) {
      counter = document.createElement("span");
      counter.className = "char-count help";
      counter.setAttribute("aria-live", "polite");
      input.insertAdjacentElement("afterend", counter);
    }
    var length = input.value.length;
    counter.textContent = length + " / " + max + (length > max ? " characters: too long, shorten it" : "");
    counter.classList.toggle("char-count-over", length > max);
  }
  function addCounters(root) {
    root.querySelectorAll("[data-max-chars]").forEach(countChars);
  }
  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("[data-max-chars]")) { countChars(event.target); }
  });

  // A table wider than its wrapper (phones) says so above it, until scrolled to the end.
  function markWideTables(root) {
    root.querySelectorAll(".table-wrap").forEach(function (wrap) {
      var hint = wrap.previousElementSibling;
      if (!hint || !hint.classList.contains("more-columns")) {
        hint = document.createElement("p");
        hint.className = "more-columns";
        hint.textContent = "more columns →";
        hint.hidden = true;
        wrap.insertAdjacentElement("beforebegin", hint);
        wrap.addEventListener("scroll", function () { markWideTables(wrap.parentNode); }, { passive: true });
      }
      var more = wrap.scrollWidth - wrap.clientWidth - wrap.scrollLeft > 2;
      hint.hidden = !more;
      wrap.classList.toggle("has-more", more);
    });
  }
  window.addEventListener("resize", function () { markWideTables(document); });

  document.addEventListener("DOMContentLoaded", function () {
    markWideTables(document);
    addCounters(document);
    proposeTimezone(document);
    showQuickDates(document);
    showShortcutHint();
  });
  document.addEventListener("htmx:load", function (event) {
    markWideTables(event.target.parentNode || document);
    addCounters(event.target);
    proposeTimezone(event.target);
    showQuickDates(event.target);
  });
})();
