// The back-scanning page (templates/records/backscan.html).
(function () {
  // Progress on the page: each running run asks for its figures every two seconds.
  document.querySelectorAll("tr[data-poll]").forEach(function (row) {
    var timer = setInterval(function () {
      fetch(row.dataset.poll, {credentials: "same-origin"}).then(function (r) { return r.json(); })
        .then(function (p) {
          row.querySelector("progress").value = p.done;
          row.querySelector(".count").textContent = p.done + " / " + p.total;
          row.querySelector(".status").textContent = p.status + (p.error ? ": " + p.error : "");
          if (p.status !== "running") { clearInterval(timer); }
        });
    }, 2000);
  });
})();
