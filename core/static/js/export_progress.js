// Follows a background list export (core.list_exports) until its file is ready, then shows the link.
(function () {
  "use strict";
  var box = document.querySelector(".export-job");
  if (!box) { return; }
  var id = box.getAttribute("data-job");
  var bar = document.getElementById("export-progress-bar");
  var text = document.getElementById("export-progress-text");
  var download = document.getElementById("export-download");
  function fmt(n) { return Number(n || 0).toLocaleString("zh-CN"); }
  function poll() {
    fetch("/api/v1/jobs/" + encodeURIComponent(id), {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (job) {
        if (!job) { setTimeout(poll, 2000); return; }
        box.setAttribute("data-status", job.status);
        if (job.percent !== null && job.percent !== undefined) { bar.style.width = job.percent + "%"; }
        if (job.status === "succeeded") {
          text.textContent = job.message || "已完成";
          download.hidden = false;
          return;
        }
        if (job.status === "failed") {
          text.textContent = "导出失败：" + (job.error || "未知原因");
          return;
        }
        if (job.progress_total) {
          text.textContent = "已写入 " + fmt(job.progress_done) + " / " + fmt(job.progress_total) + " 行";
        }
        setTimeout(poll, 1000);
      })
      .catch(function () { setTimeout(poll, 2000); });
  }
  if (["queued", "running", "retrying"].indexOf(box.getAttribute("data-status")) >= 0) { poll(); }
})();
