/*
 * Sportello — progressive enhancement only. Everything works without this file.
 * Load with: <script src="/static/{version}/js/app.js" defer></script>
 *
 * 1. Error summary: focus `.sp-error-summary` (tabindex="-1") on load so screen
 *    readers announce it; following one of its links moves focus to the field.
 * 2. Confirmation: `form[data-confirm="…"]` (or a submit button with data-confirm)
 *    asks window.confirm(message) before submitting. The server must still offer a
 *    confirmation page for no-JS users (ui-style.md §2.14).
 * 3. Results as you type: `form[data-live-search="#target"]` (a GET form) fetches
 *    its own URL with `frammento=1` while the user types or changes a filter, and
 *    puts the server-rendered results into #target. Without JS the submit button
 *    does the same with a full page.
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

  function liveSearch(form) {
    var target = document.querySelector(form.getAttribute("data-live-search"));
    if (!target || !window.fetch) return;
    var timer = null;
    var pending = null;
    var last = null;
    function run() {
      var params = new URLSearchParams(new FormData(form));
      var query = params.toString();
      if (query === last) return;
      last = query;
      if (pending) pending.abort();
      pending = new AbortController();
      params.set("frammento", "1");
      var url = form.getAttribute("action") + "?" + params.toString();
      fetch(url, { signal: pending.signal, credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (html === null) return;
          target.innerHTML = html;
          if (history.replaceState) history.replaceState(null, "", form.getAttribute("action") + "?" + query);
        })
        .catch(function () { /* aborted or offline: the submit button still works */ });
    }
    form.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(run, 250);
    });
    form.addEventListener("change", run);
  }

  function enhance() {
    focusErrorSummary();
    var forms = document.querySelectorAll("form[data-live-search]");
    for (var i = 0; i < forms.length; i++) liveSearch(forms[i]);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", enhance);
  } else {
    enhance();
  }
})();
