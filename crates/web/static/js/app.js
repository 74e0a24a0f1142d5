/*
 * Sportello — progressive enhancement only. Everything works without this file.
 * Load with: <script src="/static/{version}/js/app.js" defer></script>
 *
 * 1. Error summary: focus `.sp-error-summary` (tabindex="-1") on load so screen
 *    readers announce it; following one of its links moves focus to the field.
 * 2. Confirmation: `form[data-confirm="…"]` (or a submit button with data-confirm)
 *    asks window.confirm(message) before submitting. The server must still offer a
 *    confirmation page for no-JS users (ui-style.md §2.14).
 */
(function () {
  "use strict";

  function focusErrorSummary() {
    var summary = document.querySelector(".sp-error-summary");
    if (!summary) return;
    if (!summary.hasAttribute("tabindex")) summary.setAttribute("tabindex", "-1");
    summary.focus();
  }

  // Error summary links (href="#field-id"): focus the control and keep its label
  // (or the fieldset legend) in view, instead of only scrolling to the input.
  document.addEventListener("click", function (ev) {
    var link = ev.target instanceof Element ? ev.target.closest(".sp-error-summary a[href^='#']") : null;
    if (!link) return;
    var id = decodeURIComponent(link.getAttribute("href").slice(1));
    var field = id ? document.getElementById(id) : null;
    if (!field || typeof field.focus !== "function") return;
    ev.preventDefault();
    var fieldset = field.closest("fieldset");
    var legend = fieldset ? fieldset.querySelector("legend") : null;
    var label = legend || (field.id ? document.querySelector("label[for='" + CSS.escape(field.id) + "']") : null);
    (label || field).scrollIntoView({ block: "start" });
    field.focus({ preventScroll: true });
    if (history.replaceState) history.replaceState(null, "", "#" + id);
  });

  // Confirmation before submit. Capture phase, so a refusal stops the event before
  // any handler attached to the form itself (e.g. htmx) sees it.
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!(form instanceof HTMLFormElement)) return;
    var submitter = ev.submitter;
    var message = (submitter && submitter.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (!message) return;
    if (!window.confirm(message)) {
      ev.preventDefault();
      ev.stopPropagation();
    }
  }, true);

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusErrorSummary);
  } else {
    focusErrorSummary();
  }
})();
