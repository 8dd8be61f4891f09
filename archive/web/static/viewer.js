// The document viewer: zoom (+, -, 0 to fit) and turn (t) the page, ←/→ for the previous and
// next page, and show where a field was read: hovering or focusing a field outlines its words on
// the page; its page link pins the outline (or opens the page it was read on).
// Boxes are fractions of the page, so they stay on their words at any zoom and turn. Nothing
// read from a document is ever put into the page as HTML: only numbers become styles.
(function () {
  "use strict";
  var frame = document.getElementById("frame");
  var stage = document.getElementById("stage");
  var sheet = document.getElementById("sheet");
  var img = document.getElementById("page-img");
  var marks = document.getElementById("marks");
  var tools = document.getElementById("page-tools");
  if (!frame || !stage || !sheet || !img || !marks || !tools) return;
  var current = parseInt(sheet.dataset.page, 10);
  var level = document.getElementById("zoom-level");
  var scale = 1, turn = 0, pinned = null;
  tools.hidden = false;

  function ratio() { return img.naturalWidth ? img.naturalHeight / img.naturalWidth : Math.SQRT2; }

  function layout() {
    var base = frame.clientWidth || 800;  // at 100 % the page is as wide as the frame
    var width = base * scale, height = base * ratio() * scale;
    var sideways = turn % 180 !== 0;
    stage.classList.add("sized");
    sheet.style.width = base + "px";
    sheet.style.height = base * ratio() + "px";
    stage.style.width = (sideways ? height : width) + "px";
    stage.style.height = (sideways ? width : height) + "px";
    // Turned about the top-left corner, then moved back into view, so the frame scrolls over it.
    var shift = {0: "", 90: "translate(" + height + "px, 0) ", 180: "translate(" + width + "px, " + height + "px) ",
                 270: "translate(0, " + width + "px) "}[turn];
    sheet.style.transform = shift + "rotate(" + turn + "deg) scale(" + scale + ")";
    if (level) level.textContent = Math.round(scale * 100) + "%";
  }

  function zoom(factor) { scale = Math.min(5, Math.max(0.2, scale * factor)); layout(); }
  function fit() { scale = turn % 180 ? 1 / ratio() : 1; layout(); }
  function rotate() { turn = (turn + 90) % 360; layout(); }

  function boxesOf(field) {
    var boxes;
    try { boxes = JSON.parse(field.dataset.boxes || "[]"); } catch (err) { return []; }
    return boxes.filter(function (b) {
      return Array.isArray(b) && b.length === 4 && b.every(function (n) { return typeof n === "number" && isFinite(n); });
    });
  }

  function outline(field) {
    while (marks.firstChild) marks.removeChild(marks.firstChild);
    Array.prototype.forEach.call(document.querySelectorAll(".field.active"), function (f) { f.classList.remove("active"); });
    if (!field) return;
    field.classList.add("active");
    if (parseInt(field.dataset.page, 10) !== current) return;
    boxesOf(field).forEach(function (b) {
      var mark = document.createElement("div");
      mark.className = "mark";
      mark.dataset.field = field.dataset.field;
      mark.style.left = (b[0] * 100) + "%";
      mark.style.top = (b[1] * 100) + "%";
      mark.style.width = ((b[2] - b[0]) * 100) + "%";
      mark.style.height = ((b[3] - b[1]) * 100) + "%";
      marks.appendChild(mark);
    });
  }

  function reveal() {
    var mark = marks.firstChild;
    if (mark && mark.scrollIntoView) mark.scrollIntoView({block: "center", inline: "center"});
  }

  var fields = document.getElementById("fields");
  if (fields) {
    fields.addEventListener("mouseover", function (event) {
      var field = event.target.closest(".field[data-boxes]");
      if (field) outline(field);
    });
    fields.addEventListener("mouseleave", function () { outline(pinned); });
    fields.addEventListener("focusin", function (event) {
      var field = event.target.closest(".field[data-boxes]");
      if (field) outline(field);
    });
    fields.addEventListener("click", function (event) {
      var link = event.target.closest("a.where");
      if (!link) return;
      var field = link.closest(".field");
      if (parseInt(field.dataset.page, 10) !== current) return;  // the link opens that page
      event.preventDefault();
      pinned = field;
      outline(field);
      reveal();
      history.replaceState(null, "", "?page=" + current + "#" + field.id);
    });
  }

  tools.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button) return;
    if (button.dataset.zoom) zoom(parseFloat(button.dataset.zoom));
    if (button.hasAttribute("data-fit")) fit();
    if (button.dataset.rotate) rotate();
  });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target.closest("input, textarea, select, [contenteditable]")) return;
    var keys = {"+": function () { zoom(1.25); }, "=": function () { zoom(1.25); },
                "-": function () { zoom(0.8); }, "0": fit, "t": rotate, "T": rotate};  // r is "return" on the case page
    if (keys[event.key]) { event.preventDefault(); keys[event.key](); return; }
    var link = document.querySelector('#page-nav a[data-key="' + event.key + '"]');
    if (link) location.href = link.href;
  });

  function start() {
    layout();
    var hash = location.hash.slice(1);
    var field = hash.indexOf("field-") === 0 ? document.getElementById(hash) : null;
    if (field && field.classList.contains("field") && field.dataset.boxes) {
      pinned = field;
      outline(field);
      reveal();
    }
  }
  if (img.complete && img.naturalWidth) start(); else img.addEventListener("load", start);
  window.addEventListener("resize", layout);
})();
