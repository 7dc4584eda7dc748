// Polls the job until it ends, then reloads so the preview (or the commit result) is rendered by the server.
(function () {
  var panel = document.getElementById("import-panel");
  var jobId = panel.getAttribute("data-job-id");
  var bar = document.getElementById("import-progress-bar");
  var text = document.getElementById("import-progress-text");
  function poll() {
    fetch("/api/v1/jobs/" + encodeURIComponent(jobId), {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (job) {
        if (!job) { setTimeout(poll, 2000); return; }
        if (job.percent !== null && job.percent !== undefined) { bar.style.width = job.percent + "%"; }
        var line = "已处理 " + (job.progress_done || 0) + (job.progress_total ? " / " + job.progress_total : "") + " 行";
        if (job.rate) { line += "，" + Math.round(job.rate) + " 行/秒"; }
        if (job.percent !== null && job.percent !== undefined) { line += "（" + Math.round(job.percent) + "%）"; }
        text.textContent = line;
        if (job.status === "succeeded" || job.status === "failed") { window.location.reload(); return; }
        setTimeout(poll, 1000);
      })
      .catch(function () { setTimeout(poll, 2000); });
  }
  poll();
})();
