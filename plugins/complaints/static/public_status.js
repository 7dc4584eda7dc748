(function () {
  var form = document.getElementById("status-form");
  function day(value) { return value ? value.replace(/^(\d{4})-(\d{2})-(\d{2})$/, function (_, y, m, d) { return y + "年" + Number(m) + "月" + Number(d) + "日"; }) : "—"; }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var box = document.getElementById("status-error");
    var result = document.getElementById("status-result");
    box.hidden = true; result.hidden = true;
    fetch("/api/v1/public/complaints/status", {
      method: "POST", headers: { "Content-Type": "application/json", "X-CSRFToken": form.csrf_token.value },
      body: JSON.stringify({ jurisdiction: form.dataset.jurisdiction, tracking_code: form.tracking_code.value, phone_last4: form.phone_last4.value })
    }).then(function (r) { return r.json().then(function (body) { return { status: r.status, body: body }; }); })
      .then(function (res) {
        if (res.status !== 200) { box.textContent = res.body.message || "查询失败"; box.hidden = false; return; }
        var b = res.body;
        document.getElementById("r-status").textContent = b.status_label;
        document.getElementById("r-received").textContent = day(b.received_on);
        document.getElementById("r-transferred").textContent = day(b.transferred_on);
        document.getElementById("r-answered").textContent = day(b.answered_on);
        document.getElementById("r-closed").textContent = day(b.closed_on);
        document.getElementById("r-result").textContent = b.result_text || "尚未形成处理结果，请耐心等待。";
        var info = document.getElementById("info-section");
        info.hidden = !b.info_request;
        document.getElementById("r-info-request").textContent = b.info_request || "";
        result.hidden = false;
      });
  });
  var infoForm = document.getElementById("info-form");
  infoForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var box = document.getElementById("info-error");
    box.hidden = true;
    infoForm.querySelectorAll(".field-error").forEach(function (el) { el.textContent = ""; });
    var body = {
      jurisdiction: form.dataset.jurisdiction, tracking_code: form.tracking_code.value,
      phone_last4: form.phone_last4.value, reply: infoForm.reply.value
    };
    if (infoForm.debtor.value.trim()) body.debtor = infoForm.debtor.value;
    if (infoForm.amount.value.trim()) body.amount = infoForm.amount.value;
    fetch("/api/v1/public/complaints/info", {
      method: "POST", headers: { "Content-Type": "application/json", "X-CSRFToken": form.csrf_token.value },
      body: JSON.stringify(body)
    }).then(function (r) { return r.json().then(function (b) { return { status: r.status, body: b }; }); })
      .then(function (res) {
        if (res.status !== 200) {
          var errors = res.body.errors || {};
          Object.keys(errors).forEach(function (name) {
            var el = infoForm.querySelector('.field-error[data-for="' + name + '"]');
            if (el) el.textContent = [].concat(errors[name]).join("；");
          });
          box.textContent = res.body.message || "提交失败，请稍后再试"; box.hidden = false; return;
        }
        infoForm.hidden = true;
        document.getElementById("info-done").hidden = false;
        document.getElementById("r-status").textContent = res.body.status_label;
      });
  });
})();
