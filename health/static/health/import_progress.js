// The page of a metrics import that is still running (health/import_detail.html): asks the import's status address
// every few seconds, moves the progress bar, and reloads the page once the import has ended, to show its counts or
// its bad lines.
(function () {
  "use strict";

  function start() {
    var page = document.getElementById("metrics-import");
    if (!page || !page.dataset.statusUrl) {
      return;
    }
    var interval = parseInt(page.dataset.pollInterval, 10) || 2000;
    var bar = document.getElementById("import-progress-bar");
    var meter = document.getElementById("import-progress");
    var text = document.getElementById("import-progress-text");
    var label = document.getElementById("import-status-label");

    function show(status) {
      if (bar) {
        bar.style.width = status.percent + "%";
      }
      if (meter) {
        meter.setAttribute("aria-valuenow", status.percent);
      }
      if (text && status.progress_text) {
        text.textContent = status.progress_text;
      }
      if (label) {
        label.textContent = status.status_label;
      }
    }

    function poll() {
      fetch(page.dataset.statusUrl, {credentials: "same-origin", headers: {Accept: "application/json"}})
        .then(function (answer) {
          if (!answer.ok) {
            throw new Error(answer.status);
          }
          return answer.json();
        })
        .then(function (status) {
          show(status);
          if (status.finished) {
            window.location.reload();
          } else {
            window.setTimeout(poll, interval);
          }
        })
        .catch(function () {
          // A network hiccup: try again later, a little slower.
          window.setTimeout(poll, interval * 2);
        });
    }

    window.setTimeout(poll, interval);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
