// The job page's progress, kept live without reloading: polls progress.json and updates
// the numbers in place. Without this script the page still shows them, with a refresh link.
(function () {
  "use strict";
  var box = document.getElementById("job-progress");
  if (!box || box.getAttribute("data-active") !== "true") {
    return;
  }
  var url = box.getAttribute("data-progress-url");
  var status = box.getAttribute("data-status");
  var every = 1500;
  var failures = 0;

  function setText(selector, value) {
    var nodes = box.querySelectorAll(selector);
    for (var i = 0; i < nodes.length; i++) {
      if (nodes[i].textContent !== String(value)) {
        nodes[i].textContent = String(value);
      }
    }
  }

  function show(p) {
    Object.keys(p.counts).forEach(function (k) {
      setText('[data-count="' + k + '"]', p.counts[k]);
    });
    ["completed", "total", "percent", "waiting", "rate_text", "time_left_text"].forEach(function (k) {
      setText('[data-field="' + k + '"]', p[k]);
    });
    var bar = document.getElementById("job-bar");
    if (bar) {
      bar.max = Math.max(p.total, 1);
      bar.value = p.completed;
      bar.textContent = p.percent + "%";
    }
    if (p.status !== status) {
      // Only a change of state is announced (the region is aria-live), not every count.
      status = p.status;
      box.setAttribute("data-status", p.status);
      setText("#job-status", p.status_label);
      // A draft's lookups have a state of their own; the job's badge stays as it is.
      var badge = box.getAttribute("data-badge") === "keep" ? null : document.getElementById("job-badge");
      if (badge) {
        badge.textContent = p.status_label;
        badge.className = "jobs-status " + p.status;
      }
    }
    if (!p.active && box.getAttribute("data-reload-when-done") === "true") {
      // What comes next (a draft's Send) is drawn by the server.
      window.location.reload();
      return;
    }
    if (!p.active) {
      var ended = document.getElementById("job-ended");
      var refresh = document.getElementById("job-refresh");
      var cancel = document.getElementById("job-cancel");
      if (ended) { ended.hidden = false; }
      if (refresh) { refresh.hidden = true; }
      if (cancel) { cancel.hidden = true; }
    }
  }

  function poll() {
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (res) {
        if (!res.ok) { throw new Error("HTTP " + res.status); }
        return res.json();
      })
      .then(function (p) {
        failures = 0;
        show(p);
        if (p.active) { window.setTimeout(poll, every); }
      })
      .catch(function () {
        // Signed out, or the server is restarting: slow down, give up after a while.
        failures += 1;
        if (failures < 20) { window.setTimeout(poll, every * Math.min(failures + 1, 8)); }
      });
  }

  window.setTimeout(poll, every);
})();
