// The workspace's keyboard: every key clicks the button whose data-hotkey names it, so the
// bindings, the <kbd> hints and the help dialog all come from one key map (service/workspace/keymap.py).
// Single-letter keys act on the selected card only, never while typing (WCAG 2.1.4; Coral's scoping).
(function () {
  "use strict";
  var selected = -1;
  var lastDecided = null;
  // From a request until its answer has settled, keys wait: a card just swapped in is not yet
  // wired by htmx, and a click on it would post the plain form and leave the page.
  var busy = false;
  var pending = null;  // the id of the card a request will replace

  function cards() { return Array.prototype.slice.call(document.querySelectorAll("article.card")); }

  function select(index) {
    var all = cards();
    if (!all.length) { return; }
    var before = all[selected];
    selected = Math.max(0, Math.min(index, all.length - 1));
    all.forEach(function (card, i) { card.classList.toggle("selected", i === selected); });
    all[selected].focus({ preventScroll: true });
    all[selected].scrollIntoView({ block: "nearest" });
    if (all[selected] !== before) { tellViewing(all[selected]); }
  }

  // The soft "being viewed by" marker others see; it expires on the server by itself.
  function tellViewing(card) {
    window.fetch(card.getAttribute("data-viewing"), {
      method: "POST", credentials: "same-origin",
      headers: { "X-CSRFToken": document.body.getAttribute("data-csrf") }
    }).catch(function () { /* only a courtesy to the others */ });
  }

  function typing(target) {
    if (!target || !target.tagName) { return false; }
    var tag = target.tagName.toLowerCase();
    var textual = tag === "textarea" || tag === "select" || target.isContentEditable ||
      (tag === "input" && ["radio", "checkbox", "button", "submit", "hidden"].indexOf(target.type) < 0);
    return textual;
  }

  function keyName(event) {
    if (event.altKey || event.metaKey) { return null; }
    if (event.ctrlKey) { return event.key.length === 1 ? "ctrl+" + event.key.toLowerCase() : null; }
    return event.key;
  }

  function matching(root, name) {
    return Array.prototype.slice.call(root.querySelectorAll("[data-hotkey]")).filter(function (el) {
      return el.getAttribute("data-hotkey").split(" ").indexOf(name) >= 0 && !el.disabled;
    });
  }

  // The page has one picker per decision; opening it points its form at the button's card.
  var pickerCard = null;
  function openPicker(button) {
    var card = button.closest("article.card");
    var dialog = document.getElementById(button.getAttribute("data-picker"));
    var form = dialog.querySelector("form");
    form.reset();
    form.action = card.getAttribute("data-action");
    form.elements.version.value = card.getAttribute("data-version");
    var overrule = dialog.querySelector(".overrule");
    if (overrule && !dialog.hasAttribute("data-pick-submits")) {
      var asked = button.hasAttribute("data-overrules");
      overrule.disabled = !asked;
      overrule.hidden = !asked;
    }
    dialog.querySelectorAll(".statement").forEach(function (el) { el.hidden = true; });
    pickerCard = card;
    dialog.showModal();
    var first = dialog.querySelector("input[type=radio]");
    if (first) { first.focus(); }
  }

  // A picker's form is sent by htmx into the card it was opened for.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-decide") || !pickerCard) { return; }
    event.preventDefault();
    form.closest("dialog").close();
    pending = pickerCard.id;
    busy = true;
    htmx.ajax("POST", form.action, { source: form, target: pickerCard, swap: "outerHTML" });
  });

  function pick(dialog, number) {
    var groups = Array.prototype.slice.call(dialog.querySelectorAll("[data-pick]:not([disabled])"));
    var group = groups.filter(function (g) { return !g.querySelector("input:checked"); })[0] ||
      groups[groups.length - 1];
    var radios = group ? group.querySelectorAll("input[type=radio]") : [];
    var radio = radios[number - 1];
    if (!radio) { return; }
    radio.checked = true;
    radio.focus();
    showStatement(dialog, radio);
    var complete = groups.every(function (g) { return g.querySelector("input:checked"); });
    if (complete && dialog.hasAttribute("data-pick-submits")) { submit(dialog); }
  }

  function submit(dialog) {
    var form = dialog.querySelector("form");
    if (form && form.reportValidity()) { form.requestSubmit(); }
  }

  function showStatement(dialog, radio) {
    var id = radio.getAttribute("data-statement");
    if (!id) { return; }
    dialog.querySelectorAll(".statement").forEach(function (el) { el.hidden = el.id !== id; });
  }

  function onPickerKey(dialog, event) {
    if (/^[1-9]$/.test(event.key) && !typing(event.target)) {
      event.preventDefault();
      pick(dialog, Number(event.key));
    } else if (event.key === "Enter" && !typing(event.target)) {
      event.preventDefault();
      submit(dialog);
    }
    // Esc: the <dialog> cancels itself.
  }

  document.addEventListener("keydown", function (event) {
    if (busy) { event.preventDefault(); return; }
    var dialog = document.querySelector("dialog[open]");
    if (dialog) { if (dialog.classList.contains("picker")) { onPickerKey(dialog, event); } return; }
    if (typing(event.target)) { return; }
    // The user's switch (WCAG 2.1.4): no single-letter keys; the buttons and pickers still work.
    if (document.body.getAttribute("data-shortcuts") === "off") { return; }
    var name = keyName(event);
    if (!name) { return; }
    var card = cards()[selected];
    var target = (card && matching(card, name)[0]) ||
      (lastDecided && document.body.contains(lastDecided) && matching(lastDecided, name)[0]) ||
      matching(document, name).filter(function (el) { return !el.closest("article.card"); })[0];
    if (!target) { return; }
    event.preventDefault();
    target.click();
  });

  document.addEventListener("click", function (event) {
    var el = event.target.closest("[data-move],[data-opens],[data-picker],[data-closes]");
    if (!el) {
      var card = event.target.closest("article.card");
      if (card) { select(cards().indexOf(card)); }
      return;
    }
    if (el.hasAttribute("data-move")) { select(selected + Number(el.getAttribute("data-move"))); }
    if (el.hasAttribute("data-opens")) { document.getElementById(el.getAttribute("data-opens")).showModal(); }
    if (el.hasAttribute("data-picker")) { openPicker(el); }
    if (el.hasAttribute("data-closes")) { el.closest("dialog").close(); }
  });

  document.addEventListener("change", function (event) {
    var dialog = event.target.closest("dialog.picker");
    if (dialog && event.target.type === "radio") { showStatement(dialog, event.target); }
  });

  function expire(root) {
    root.querySelectorAll("[data-expires-in]").forEach(function (button) {
      var seconds = Number(button.getAttribute("data-expires-in"));
      window.setTimeout(function () { button.disabled = true; }, seconds * 1000);
    });
  }

  // The answer replaces the card (same id): remember which, to select around it afterwards.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var card = event.detail.elt.closest("article.card");
    if (card) { pending = card.id; busy = true; }
  });

  // Fired on every element a swap settled (the count too); only a card's decision or undo counts.
  document.addEventListener("htmx:afterSettle", function (event) {
    var config = event.detail.requestConfig;
    if (!config || config.verb !== "post" || !event.target.matches("article.card")) { return; }
    busy = false;
    var card = pending && document.getElementById(pending);
    if (!card) { return; }
    var index = cards().indexOf(card);
    if (card.classList.contains("decided")) {
      // After a decision the next comment is selected; u still undoes this one.
      lastDecided = card;
      expire(card);
      select(index + 1);
    } else {
      select(index);  // after an undo or a conflict: the same comment, to decide again
    }
  });

  // The polled header brings who else is looking at which comment: the cards' markers follow.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target.id !== "news") { return; }
    var markers = {};
    event.detail.target.querySelectorAll("[data-viewed]").forEach(function (item) {
      markers[item.getAttribute("data-viewed")] = item.textContent;
    });
    cards().forEach(function (card) {
      var marker = card.querySelector(".viewing");
      var text = markers[card.getAttribute("data-comment")] || "";
      marker.textContent = text;
      marker.hidden = !text;
    });
  });

  function failed() {
    busy = false;
    document.getElementById("status").textContent = document.body.getAttribute("data-error-text");
  }
  document.addEventListener("htmx:responseError", failed);
  document.addEventListener("htmx:sendError", failed);

  document.addEventListener("DOMContentLoaded", function () { select(0); });
}());
