// Progress of an import: poll the job's status and reload the page when the step is over.
// Without this script the page offers a "Refresh" link.
(function () {
  "use strict";
  var box = document.getElementById("job-progress");
  if (!box) { return; }
  var bar = document.getElementById("job-progress-bar");
  var text = document.getElementById("job-progress-text");
  var status = document.getElementById("job-status");
  function poll() {
    fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (data.total) { bar.value = data.percent; } else { bar.removeAttribute("value"); }
        status.textContent = data.label;
        text.textContent = data.progress_text;
        if (data.running) { window.setTimeout(poll, 1500); } else { window.location.assign(box.dataset.jobUrl); }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  box.dataset.live = "true";
  window.setTimeout(poll, 1000);
})();
