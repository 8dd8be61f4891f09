// The back-scanning page (templates/records/backscan.html).
(function () {
  // Progress on the page: each running run asks for its figures every two seconds. The states
  // are shown in the page's language (the table's data-states).
  var table = document.querySelector("table[data-states]");
  var states = table ? JSON.parse(table.dataset.states) : {};
  document.querySelectorAll("tr[data-poll]").forEach(function (row) {
    var timer = setInterval(function () {
      fetch(row.dataset.poll, {credentials: "same-origin"}).then(function (r) { return r.json(); })
        .then(function (p) {
          row.querySelector("progress").value = p.done;
          row.querySelector(".count").textContent = p.done + " / " + p.total;
          var status = row.querySelector(".status");
          status.dataset.status = p.status;
          status.textContent = (states[p.status] || p.status) + (p.error ? ": " + p.error : "");
          if (p.status !== "running") { clearInterval(timer); }
          // A finished run has nothing to resume.
          var resume = row.querySelector("form");
          if (p.status === "finished" && resume) { resume.remove(); }
        });
    }, 2000);
  });
})();
