// Follows each export being written; the one just requested downloads by itself when it is ready.
(function () {
  var fresh = document.querySelector(".exports-table").getAttribute("data-fresh");
  document.querySelectorAll("tr[data-status='running']").forEach(function (row) {
    var id = row.getAttribute("data-export");
    var bar = row.querySelector(".bar-fill");
    var text = row.querySelector(".progress-text");
    function poll() {
      fetch("/api/v1/ledger/exports/" + id, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (e) {
          if (!e) { setTimeout(poll, 2000); return; }
          if (e.status === "running") {
            if (e.percent !== null) { bar.style.width = e.percent + "%"; }
            if (e.progress_total) { text.textContent = "已写入 " + e.progress_done + " / " + e.progress_total + " 笔"; }
            setTimeout(poll, 1000);
            return;
          }
          row.setAttribute("data-status", e.status);
          row.querySelector(".export-status").textContent = e.status_label + (e.error ? "：" + e.error : "");
          if (e.rows !== null) { row.querySelector(".export-rows").textContent = e.rows; }
          if (e.file_size) {
            row.querySelector(".export-size").textContent = e.file_size >= 1048576
              ? (e.file_size / 1048576).toFixed(1) + " MB" : Math.round(e.file_size / 1024) + " KB";
          }
          if (e.download_url) {
            var link = document.createElement("a");
            link.className = "btn btn-small";
            link.href = e.download_url;
            link.textContent = "下载";
            row.querySelector(".export-link").appendChild(link);
            if (String(fresh) === id) { window.location.href = e.download_url; }
          }
        })
        .catch(function () { setTimeout(poll, 2000); });
    }
    poll();
  });
})();
