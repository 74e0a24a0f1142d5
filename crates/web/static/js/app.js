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
 * 4. Autosave: `form[data-autosave="key"]` posts itself (Accept: application/json) a
 *    moment after each change and puts the answer's errors beside their fields. What is
 *    typed and not yet saved stays in sessionStorage (this tab only, gone when it closes)
 *    and is put back after a reload, a network failure or a new login. Without JS the
 *    form's buttons save it whole.
 * 5. Session timeout (WCAG 2.2.1): `body[data-sessione-secondi]` is how long a session
 *    lasts without a request. Five minutes before it ends (half the time for a shorter
 *    limit) a modal <dialog> says so, with "Resta collegato", which posts
 *    /sessione/rinnova and starts the count again; focus returns where it was. Once it has
 *    ended the dialog says that a form sent now is kept for after the new login.
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

  // A comune field: suggestions from /comuni as a name is typed, in a datalist the field
  // gets only here (without JavaScript the server still finds the comune by its name).
  function comuneSuggestions(input) {
    if (!window.fetch) return;
    var list = document.createElement("datalist");
    list.id = input.id + "-suggerimenti";
    input.parentNode.appendChild(list);
    input.setAttribute("list", list.id);
    input.setAttribute("autocomplete", "off");
    var timer = null;
    var pending = null;
    var last = null;
    function run() {
      var typed = input.value.trim();
      if (typed === last) return;
      last = typed;
      if (pending) pending.abort();
      pending = null;
      if (typed.length < 2) { list.textContent = ""; return; }
      pending = new AbortController();
      fetch("/comuni?q=" + encodeURIComponent(typed), { signal: pending.signal, credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (found) {
          if (!found) return;
          list.textContent = "";
          found.forEach(function (c) {
            var option = document.createElement("option");
            option.value = c.valore;
            list.appendChild(option);
          });
        })
        .catch(function () { /* aborted or offline: the name typed is still read */ });
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(run, 150);
    });
  }

  function autosave(form) {
    if (!window.fetch || !window.sessionStorage) return;
    var key = "sportello-bozza:" + form.getAttribute("data-autosave");
    var status = form.querySelector("[data-autosave-status]");
    var version = form.querySelector("input[name=version]");
    var path = new URL(form.action).pathname;
    var base = path.slice(0, path.lastIndexOf("/") + 1);
    var timer = null;
    var inflight = false;
    var again = false;
    var submitLater = null;
    function say(text) { if (status) status.textContent = text; }
    function remember() {
      try { sessionStorage.setItem(key, new URLSearchParams(new FormData(form)).toString()); } catch (e) { /* full or disabled */ }
    }
    function forget() { try { sessionStorage.removeItem(key); } catch (e) { /* disabled */ } }
    function showErrors(errors) {
      var marks = form.querySelectorAll("p.sp-error[id$='-err']");
      for (var i = 0; i < marks.length; i++) {
        var p = marks[i];
        var field = document.getElementById(p.id.slice(0, -4));
        var msg = field && errors[field.name];
        p.hidden = !msg;
        p.lastElementChild.textContent = msg || "";
        var wrap = p.closest(".sp-field, .sp-check");
        if (wrap) wrap.classList.toggle("sp-field--error", !!msg);
        if (field && msg) field.setAttribute("aria-invalid", "true");
        else if (field) field.removeAttribute("aria-invalid");
      }
    }
    function showLines(lines) {
      for (var i = 0; i < lines.length; i++) {
        var cell = document.querySelector("[data-quadro='" + CSS.escape(base + lines[i][0]) + "']");
        if (!cell) continue;
        cell.innerHTML = "";
        var badge = document.createElement("span");
        badge.className = "sp-badge sp-badge--" + (lines[i][2] ? "success" : "warning");
        badge.textContent = lines[i][1];
        cell.appendChild(badge);
      }
    }
    function save() {
      if (inflight) { again = true; return; }
      inflight = true;
      say("Salvataggio in corso…");
      var body = new URLSearchParams(new FormData(form));
      body.set("azione", "autosave");
      fetch(form.action, {
        method: "POST", body: body, credentials: "same-origin", redirect: "manual",
        headers: { "Accept": "application/json" }
      })
        .then(function (r) {
          if (r.type === "opaqueredirect" || r.status === 401 || r.status === 403) throw "session";
          if (r.status === 409) throw "conflict";
          if (!r.ok) throw "server";
          return r.json();
        })
        .then(function (j) {
          version.value = j.version;
          showErrors(j.errors);
          showLines(j.lines);
          forget();
          var n = Object.keys(j.errors).length;
          var time = new Date().toLocaleTimeString("it-IT", { hour: "2-digit", minute: "2-digit" });
          say(n === 0 ? "Salvato alle " + time + "."
            : "Salvato alle " + time + ": " + n + (n === 1 ? " campo da correggere." : " campi da correggere."));
        })
        .catch(function (e) {
          remember();
          say(e === "session"
            ? "Sessione scaduta: quanto scritto resta in questa scheda. Accedi di nuovo e torna su questa pagina: verrà salvato."
            : e === "conflict"
              ? "La DSU è stata modificata altrove: ricarica la pagina; quanto scritto resta in questa scheda."
              : "Non salvato: server non raggiungibile. Quanto scritto resta in questa scheda e sarà salvato alla prossima modifica.");
        })
        .then(function () {
          inflight = false;
          if (again) { again = false; save(); return; }
          if (submitLater) { var go = submitLater; submitLater = null; go(); }
        });
    }
    function changed() {
      remember();
      clearTimeout(timer);
      timer = setTimeout(function () { timer = null; save(); }, 700);
    }
    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    // A button pressed while a save is pending or running waits for it, so that the form
    // goes with the version that save produced.
    form.addEventListener("submit", function (ev) {
      if (!inflight && timer === null) { forget(); return; }
      ev.preventDefault();
      var submitter = ev.submitter;
      submitLater = function () { form.requestSubmit(submitter); };
      if (timer !== null) { clearTimeout(timer); timer = null; save(); }
    });
    var kept = null;
    try { kept = sessionStorage.getItem(key); } catch (e) { /* disabled */ }
    if (!kept) return;
    var values = new URLSearchParams(kept);
    var restored = false;
    for (var i = 0; i < form.elements.length; i++) {
      var el = form.elements[i];
      if (!el.name || el.name === "version" || el.type === "submit" || el.disabled || el.readOnly) continue;
      if (el.type === "checkbox") {
        var on = values.getAll(el.name).indexOf(el.value) >= 0;
        if (el.checked !== on) { el.checked = on; restored = true; }
      } else if (values.has(el.name) && el.value !== values.get(el.name)) {
        el.value = values.get(el.name);
        restored = true;
      }
    }
    if (restored) {
      say("Ripristinati i dati non ancora salvati: salvataggio in corso…");
      save();
    } else {
      forget();
    }
  }

  function sessionWarning() {
    var secs = parseInt(document.body.getAttribute("data-sessione-secondi") || "", 10);
    if (!(secs > 0) || typeof HTMLDialogElement === "undefined") return;
    var ahead = Math.min(300, Math.floor(secs / 2));
    var dialog = null, before = null, timers = [];
    function text(t) {
      dialog.querySelector("#sessione-testo").textContent = t;
    }
    function close() {
      if (dialog && dialog.open) dialog.close();
      if (before && typeof before.focus === "function") before.focus();
    }
    function open() {
      if (!dialog) {
        dialog = document.createElement("dialog");
        dialog.className = "sp-dialog";
        dialog.setAttribute("aria-labelledby", "sessione-titolo");
        dialog.setAttribute("aria-describedby", "sessione-testo");
        dialog.innerHTML = '<h2 id="sessione-titolo">La sessione sta per scadere</h2>' +
          '<p id="sessione-testo"></p>' +
          '<div class="sp-dialog__actions"><button type="button" class="sp-btn sp-btn--secondary" data-chiudi>Chiudi</button> ' +
          '<button type="button" class="sp-btn" data-resta>Resta collegato</button></div>';
        dialog.querySelector("[data-chiudi]").addEventListener("click", close);
        dialog.querySelector("[data-resta]").addEventListener("click", stay);
        dialog.addEventListener("close", function () {
          if (before && typeof before.focus === "function") before.focus();
        });
        document.body.appendChild(dialog);
      }
      if (!dialog.open) {
        before = document.activeElement;
        dialog.showModal();
        dialog.querySelector("[data-resta]").focus();
      }
    }
    function warn() {
      open();
      dialog.querySelector("[data-resta]").hidden = false;
      var minutes = Math.round(ahead / 60);
      text((minutes >= 2 ? "Tra " + minutes + " minuti" : "Tra un minuto o meno") +
        " la sessione si chiude per inattività. Scegli «Resta collegato» per continuare.");
    }
    function ended() {
      if (!dialog || !dialog.open) return;
      dialog.querySelector("#sessione-titolo").textContent = "La sessione è scaduta";
      dialog.querySelector("[data-resta]").hidden = true;
      text("Quanto hai scritto non va perso: invia il modulo, accedi di nuovo e potrai inviarlo da lì.");
    }
    function schedule() {
      timers.forEach(clearTimeout);
      timers = [setTimeout(warn, (secs - ahead) * 1000), setTimeout(ended, secs * 1000)];
    }
    function stay() {
      fetch("/sessione/rinnova", { method: "POST", credentials: "same-origin", redirect: "manual" })
        .then(function (r) {
          if (r.status === 204) {
            dialog.querySelector("#sessione-titolo").textContent = "La sessione sta per scadere";
            close();
            schedule();
          } else {
            ended();
          }
        })
        .catch(function () { text("Sportello non risponde: riprova tra poco."); });
    }
    schedule();
  }

  function enhance() {
    focusErrorSummary();
    sessionWarning();
    var forms = document.querySelectorAll("form[data-live-search]");
    for (var i = 0; i < forms.length; i++) liveSearch(forms[i]);
    var drafts = document.querySelectorAll("form[data-autosave]");
    for (var j = 0; j < drafts.length; j++) autosave(drafts[j]);
    var comuniForms = document.querySelectorAll("form[data-comuni]");
    for (var k = 0; k < comuniForms.length; k++) {
      comuniForms[k].getAttribute("data-comuni").split(" ").forEach(function (id) {
        var input = document.getElementById(id);
        if (input) comuneSuggestions(input);
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", enhance);
  } else {
    enhance();
  }
})();
