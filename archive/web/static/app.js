// Progressive enhancement for the case page: per-file upload progress; live parts on every desk.
// Without JavaScript the form posts normally and the page shows the result after reload.
(function () {
  "use strict";
  var csrf = document.querySelector('meta[name="csrf-token"]');
  var form = document.getElementById("upload");

  // Live parts (archive.web.live; one mechanism for every desk): the case page's documents with
  // their findings, checklist, verdict and amounts, the work queue's rows, the dashboard's counts.
  // The server draws a page's parts from one reading of its state and they are swapped here all
  // together, so they never disagree; nothing is swapped while the version is unchanged (304).
  // The part carrying data-live-url says when to ask again: soon while something is being read
  // (data-pending), every data-live-idle ms on desks that other people's work changes, else never
  // (the case page starts again after an upload). A hidden tab does not ask.
  var timer = null;
  function livePart(name) { return document.querySelector('[data-live="' + name + '"]'); }
  function liveAnchor() { return document.querySelector("[data-live][data-live-url]"); }
  function again() {
    var anchor = liveAnchor();
    if (!anchor) return;
    if (anchor.hasAttribute("data-pending")) timer = setTimeout(poll, 1500);
    else if (anchor.dataset.liveIdle) timer = setTimeout(poll, +anchor.dataset.liveIdle);
  }
  function poll() {
    var anchor = liveAnchor();
    if (!anchor) return;
    clearTimeout(timer);
    if (document.hidden) return;  // asked again when the tab is shown
    fetch(anchor.dataset.liveUrl + location.search, {
      headers: { "X-Requested-With": "fetch", "If-None-Match": '"' + anchor.dataset.version + '"' },
      credentials: "same-origin", cache: "no-store"
    }).then(function (r) { return r.status === 200 ? r.json() : null; })
      .then(function (data) { if (data) swap(data.parts); again(); },
            function () { again(); });  // a network blip: ask again later
  }
  document.addEventListener("visibilitychange", function () { if (!document.hidden) poll(); });
  function swap(parts) {
    Object.keys(parts).forEach(function (name) {
      var old = livePart(name);
      if (!old) return;
      var t = document.createElement("template");
      t.innerHTML = parts[name];  // drawn and escaped by the server's templates; scripts never run
      var fresh = t.content.querySelector('[data-live="' + name + '"]');
      if (fresh) old.replaceWith(fresh);
    });
    document.dispatchEvent(new CustomEvent("archive:live-swapped"));
  }

  function uploadOne(file, kind, list) {
    return new Promise(function (resolve) {
      var item = document.createElement("li");
      var bar = document.createElement("progress");
      bar.max = 100; bar.value = 0;
      item.textContent = file.name + " ";
      item.appendChild(bar);
      list.appendChild(item);
      var body = new FormData();
      body.append("files", file, file.name);
      body.append("kind", kind);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("X-CSRFToken", csrf.content);
      xhr.setRequestHeader("X-Requested-With", "fetch");
      xhr.upload.onprogress = function (e) { if (e.lengthComputable) bar.value = 100 * e.loaded / e.total; };
      xhr.onload = function () {
        var message = "";
        try {
          var data = JSON.parse(xhr.responseText);
          message = data.message || (data.results && data.results[0] && (data.results[0].error || data.results[0].status)) || "";
        } catch (err) { message = xhr.statusText; }
        item.textContent = file.name + ": " + message;
        item.className = xhr.status < 300 ? "ok" : "error";
        if (xhr.status >= 300) refusals.push(item.textContent);
        resolve();
      };
      xhr.onerror = function () {
        item.textContent = file.name + ": network error"; item.className = "error";
        refusals.push(item.textContent); resolve();
      };
      xhr.send(body);
    });
  }

  // Refusals survive the reload that shows the new documents, so the clerk sees why.
  var refusals = [];
  function showRefusals(list) {
    var kept = JSON.parse(sessionStorage.getItem("archive-refusals") || "[]");
    sessionStorage.removeItem("archive-refusals");
    kept.forEach(function (text) {
      var item = document.createElement("li");
      item.className = "error"; item.textContent = text; list.appendChild(item);
    });
  }

  if (form) {
    var input = form.querySelector('input[type="file"]');
    var drop = document.getElementById("drop");
    var list = document.getElementById("progress");
    showRefusals(list);
    function send(files) {
      var kind = form.querySelector('select[name="kind"]').value;
      var chain = Promise.resolve();
      Array.prototype.forEach.call(files, function (f) { chain = chain.then(function () { return uploadOne(f, kind, list); }); });
      // The new rows come with the next refresh, which says how each is read; only the
      // refusals stay listed under the form.
      chain.then(function () {
        input.value = "";
        Array.prototype.forEach.call(list.querySelectorAll("li.ok"), function (li) { li.remove(); });
        poll();
      });
    }
    form.addEventListener("submit", function (e) {
      if (!input.files.length) return;
      e.preventDefault();
      send(input.files);
    });
    ["dragover", "dragenter"].forEach(function (t) { drop.addEventListener(t, function (e) { e.preventDefault(); drop.classList.add("over"); }); });
    ["dragleave", "drop"].forEach(function (t) { drop.addEventListener(t, function () { drop.classList.remove("over"); }); });
    drop.addEventListener("drop", function (e) { e.preventDefault(); send(e.dataTransfer.files); });
  }
  poll();
})();

// The intake form: an ID number (GB 11643) is checked as it is typed; the server checks again.
(function () {
  "use strict";
  var input = document.querySelector("input[data-id-check]");
  if (!input) return;
  var weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  function valid(number) {
    if (!/^\d{17}[\dX]$/.test(number)) return false;
    var sum = 0;
    for (var i = 0; i < 17; i++) sum += parseInt(number[i], 10) * weights[i];
    if ("10X98765432"[sum % 11] !== number[17]) return false;
    var y = +number.substr(6, 4), m = +number.substr(10, 2), d = +number.substr(12, 2);
    var born = new Date(y, m - 1, d);
    return born.getFullYear() === y && born.getMonth() === m - 1 && born.getDate() === d && born <= new Date();
  }
  function check() {
    var number = input.value.trim().toUpperCase();
    input.setCustomValidity(number === "" || number.length < 18 || valid(number) ? "" : input.dataset.invalid);
    input.classList.toggle("invalid", number.length >= 18 && !valid(number));
  }
  input.addEventListener("input", check);
  input.addEventListener("blur", function () {
    var number = input.value.trim();
    input.setCustomValidity(number === "" || valid(number.toUpperCase()) ? "" : input.dataset.invalid);
  });
})();

// Keyboard review (case page and viewer): j / k next / previous case in my queue, ← / → pages
// on the case page, a / r approve / return. Every decision asks for confirmation first; without
// JavaScript the links and buttons work as they are (the server checks every decision anyway).
(function () {
  "use strict";
  var form = document.getElementById("decision");
  var dialog = document.getElementById("confirm-decision");
  var confirmed = false;
  if (form && dialog && typeof dialog.showModal === "function") {
    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      if (confirmed || !button || !button.dataset.confirm) return;
      event.preventDefault();
      if (lacksWhatItNeeds(button)) return;  // said beside the field, before any dialog
      dialog.querySelector(".confirm-text").textContent = button.dataset.confirm;
      dialog.returnValue = "";
      dialog.onclose = function () {
        if (dialog.returnValue !== "confirm") return;
        confirmed = true;
        form.requestSubmit(button);
      };
      dialog.showModal();
    });
  }
  // The opinion (and for a return, what is missing) that the step requires: checked before the
  // confirmation, so a decision never fails after it was confirmed. The server checks again.
  function lacksWhatItNeeds(button) {
    var needed = [];
    if (button.dataset.needs === "opinion") needed.push("opinion");
    if (button.dataset.needsMissing) needed.push("missing");
    var lacking = null;
    ["opinion", "missing"].forEach(function (id) {
      var field = document.getElementById(id);
      var error = document.getElementById(id + "-error");
      if (!field || !error) return;
      var empty = needed.indexOf(id) >= 0 && !field.value.trim();
      // What is missing may be ticked as checklist lines instead of written.
      if (id === "missing" && document.querySelector('#decision input[name="missing_kind"]:checked')) empty = false;
      error.hidden = !empty;
      error.textContent = empty ? field.dataset.requiredMessage : "";
      if (empty) field.setAttribute("aria-invalid", "true"); else field.removeAttribute("aria-invalid");
      if (empty && !lacking) lacking = field;
    });
    if (lacking) lacking.focus();
    return lacking !== null;
  }
  var nav = document.querySelectorAll(".keys-nav");
  if (!nav.length) return;
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.altKey || event.metaKey || event.defaultPrevented) return;
    if (event.target.closest("input, textarea, select, dialog")) return;
    var key = event.key;
    if (form && (key === "a" || key === "r")) {
      var button = form.querySelector(key === "a" ? ".decision-approve" : ".decision-return");
      if (button) { event.preventDefault(); button.click(); }
      return;
    }
    for (var i = 0; i < nav.length; i++) {
      var link = nav[i].querySelector('a[data-key="' + key + '"]');
      if (link) { event.preventDefault(); location.href = link.href; return; }
    }
  });
})();

// The statistics desk's print button (no inline script under the page's CSP).
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});

// Single-key shortcuts (WCAG 2.1.4): `?` (or the button beside the keys' hint) lists them, and
// they can be turned off, remembered in this browser (localStorage). Turned off, no single key
// reaches the page's shortcut handlers (this capture listener on window runs before theirs on
// document); the browser's own keys (arrows scroll, space and Enter press) still work.
(function () {
  "use strict";
  var STORE = "archive.shortcuts";
  var help = document.getElementById("keys-help");
  var toggle = document.getElementById("keys-enabled");
  var opener = document.getElementById("keys-open");
  function enabled() {
    try { return window.localStorage.getItem(STORE) !== "off"; } catch (err) { return true; }
  }
  function remember(on) {
    try {
      if (on) window.localStorage.removeItem(STORE); else window.localStorage.setItem(STORE, "off");
    } catch (err) { /* private mode: the switch lasts for this page */ }
    document.documentElement.dataset.shortcuts = on ? "on" : "off";
  }
  document.documentElement.dataset.shortcuts = enabled() ? "on" : "off";
  function show() { if (help && !help.open && typeof help.showModal === "function") help.showModal(); }
  if (help && toggle) {
    toggle.checked = enabled();
    toggle.addEventListener("change", function () { remember(toggle.checked); });
  }
  if (help && opener && typeof help.showModal === "function") {
    opener.hidden = false;
    opener.addEventListener("click", show);
  }
  window.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.altKey || event.metaKey) return;
    var target = event.target;
    if (target && target.closest && target.closest("input, textarea, select, [contenteditable], dialog")) return;
    var single = event.key.length === 1 || event.key === "ArrowLeft" || event.key === "ArrowRight";
    if (!single) return;
    if (!enabled()) {
      event.stopPropagation();
      return;
    }
    if (event.key === "?" && help) { event.preventDefault(); event.stopPropagation(); show(); }
  }, true);
})();

// The header's links scroll sideways in their own row on a phone: the edge that hides more links
// fades with an arrow (classes more-left / more-right), so the row does not look complete when
// it is not. Nothing is marked where the row fits.
(function () {
  "use strict";
  var nav = document.querySelector("header.top nav");
  if (!nav) return;
  function mark() {
    var hidden = nav.scrollWidth - nav.clientWidth;
    nav.classList.toggle("more-left", hidden > 1 && nav.scrollLeft > 1);
    nav.classList.toggle("more-right", hidden > 1 && nav.scrollLeft < hidden - 1);
  }
  nav.addEventListener("scroll", mark, { passive: true });
  window.addEventListener("resize", mark);
  mark();
})();
