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

  // --- Date phrases completed in the claim box -----------------------------------------
  // "GPT-4 will be announced this w" shows "eek" as ghost text; Tab or → takes it. The
  // phrases come from the server (predictions/date_completion.py, in data-date-completion)
  // and the rule is docs/decisions/0020-date-completion.md: the caret at the end, the last
  // words typed begin a phrase, enough letters of the word typed, and every phrase they
  // begin agrees on that word. Without a completion showing, Tab moves on as always.
  var completionTables = new WeakMap();  // box -> its parsed data-date-completion
  var completionShown = new WeakMap();   // box -> {rest, phrase} while the ghost shows
  var completionDismissed = new WeakMap(); // box -> the value Escape dismissed it for
  var ANY_COUNT = /^[0-9]{1,4}$/;

  function has(object, key) { return Object.prototype.hasOwnProperty.call(object, key); }
  function fitsSlot(word, slot) {
    return has(slot, word) || (has(slot, "#") && ANY_COUNT.test(word) && Number(word) !== 1);
  }

  // The completion of the text's last word, {rest, phrase}, or null.
  function dateCompletion(text, table) {
    if (!table || !/\S$/.test(text)) { return null; }
    var words = text.toLowerCase().split(/\s+/);
    var partial = words[words.length - 1];
    var word = null, phrase = "", agreed = true;
    table.patterns.forEach(function (pattern) {
      // The partial word as the pattern's k-th word, the words before it its first k.
      for (var k = 0; k < pattern.length && k < words.length; k++) {
        var before = words.slice(words.length - 1 - k, words.length - 1);
        var fits = before.every(function (typed, j) { return fitsSlot(typed, table.slots[pattern[j]]); });
        if (!fits) { continue; }
        var slot = table.slots[pattern[k]];
        Object.keys(slot).forEach(function (candidate) {
          var letters = slot[candidate];
          if (!letters || partial.length < letters || candidate.length <= partial.length ||
              candidate.lastIndexOf(partial, 0) !== 0) { return; }
          if (word !== null && word !== candidate) { agreed = false; }
          var tail = before.concat([candidate]).join(" ");
          if (tail.length > phrase.length) { phrase = tail; }
          word = candidate;
        });
      }
    });
    return word !== null && agreed ? { rest: word.slice(partial.length), phrase: phrase } : null;
  }

  function completionTable(input) {
    if (!completionTables.has(input)) {
      var table = null;
      try { table = JSON.parse(input.getAttribute("data-date-completion")); } catch (e) { /* none */ }
      completionTables.set(input, table);
    }
    return completionTables.get(input);
  }

  // The ghost is a copy of the box's text, transparent, with the rest after it, laid over
  // the box (aria-hidden); the hint says the same to screen readers (aria-describedby).
  function addCompletion(input) {
    if (input.hasAttribute("data-completion-ready") || !input.id) { return; }
    input.setAttribute("data-completion-ready", "");
    input.parentNode.classList.add("completion-host");
    var ghost = document.createElement("span");
    ghost.className = "completion-ghost";
    ghost.setAttribute("aria-hidden", "true");
    ghost.hidden = true;
    ["completion-typed", "completion-rest", "completion-key"].forEach(function (name) {
      var part = document.createElement(name === "completion-key" ? "kbd" : "span");
      part.className = name;
      ghost.appendChild(part);
    });
    ghost.lastChild.textContent = "Tab";
    var hint = document.createElement("span");
    hint.id = input.id + "-completion";
    hint.className = "sr-only";
    hint.setAttribute("aria-live", "polite");
    input.insertAdjacentElement("afterend", ghost);
    ghost.insertAdjacentElement("afterend", hint);
    var described = input.getAttribute("aria-describedby");
    input.setAttribute("aria-describedby", (described ? described + " " : "") + hint.id);
  }
  function addCompletions(root) {
    root.querySelectorAll("input[data-date-completion]").forEach(addCompletion);
  }

  function placeGhost(input, ghost) {
    var style = window.getComputedStyle(input);
    // Longhands: some browsers give no computed "font" shorthand.
    ["fontFamily", "fontSize", "fontWeight", "fontStyle", "fontStretch", "lineHeight", "letterSpacing", "wordSpacing", "textTransform", "paddingLeft", "paddingRight",
     "paddingTop", "paddingBottom", "borderLeftWidth", "borderRightWidth", "borderTopWidth",
     "borderBottomWidth"].forEach(function (property) { ghost.style[property] = style[property]; });
    ghost.style.left = input.offsetLeft + "px";
    ghost.style.top = input.offsetTop + "px";
    ghost.style.width = input.offsetWidth + "px";
    ghost.style.height = input.offsetHeight + "px";
    ghost.scrollLeft = input.scrollLeft;
  }

  function showCompletion(input) {
    var ghost = input.parentNode.querySelector(".completion-ghost");
    var hint = document.getElementById(input.id + "-completion");
    if (!ghost || !hint) { return; }
    var value = input.value;
    var atEnd = input.selectionStart === value.length && input.selectionEnd === value.length;
    var found = document.activeElement === input && atEnd && completionDismissed.get(input) !== value
      ? dateCompletion(value, completionTable(input)) : null;
    if (found) {
      completionShown.set(input, found);
      ghost.querySelector(".completion-typed").textContent = value;
      ghost.querySelector(".completion-rest").textContent = found.rest;
      ghost.hidden = false;
      placeGhost(input, ghost);
    } else {
      completionShown.delete(input);
      ghost.hidden = true;
    }
    var words = found ? "Tab completes “" + found.phrase + "”." : "";
    if (hint.textContent !== words) { hint.textContent = words; }
  }

  function completionBox(target) {
    return target && target.matches && target.matches("input[data-completion-ready]") ? target : null;
  }
  document.addEventListener("keydown", function (event) {
    var input = completionBox(event.target);
    var found = input && completionShown.get(input);
    if (!found || event.isComposing || event.shiftKey || event.ctrlKey || event.altKey || event.metaKey) { return; }
    if (event.key === "Tab" || event.key === "ArrowRight") {
      event.preventDefault();
      input.value += found.rest;
      input.setSelectionRange(input.value.length, input.value.length);
      input.dispatchEvent(new Event("input", { bubbles: true }));  // the preview follows
    } else if (event.key === "Escape") {
      event.preventDefault();
      completionDismissed.set(input, input.value);
      showCompletion(input);
    }
  });
  window.addEventListener("resize", function () {
    var input = completionBox(document.activeElement);
    if (input) { showCompletion(input); }  // the box may have changed size
  });
  ["input", "keyup", "click", "focusin", "focusout"].forEach(function (type) {
    document.addEventListener(type, function (event) {
      var input = completionBox(event.target);
      if (input) { showCompletion(input); }
    });
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
    addCompletions(document);
    proposeTimezone(document);
    showQuickDates(document);
    showShortcutHint();
  });
  document.addEventListener("htmx:load", function (event) {
    markWideTables(event.target.parentNode || document);
    addCounters(event.target);
    addCompletions(event.target);
    proposeTimezone(event.target);
    showQuickDates(event.target);
  });
})();
