(function () {
  var form = document.getElementById("complaint-form");
  var code = form.dataset.jurisdiction;
  var debtor = document.getElementById("f-debtor");
  var list = document.getElementById("debtor-suggestions");
  var timer = null;
  debtor.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var q = debtor.value.trim();
      list.innerHTML = "";
      if (!q) return;
      fetch("/api/v1/public/" + encodeURIComponent(code) + "/units?q=" + encodeURIComponent(q))
        .then(function (r) { return r.ok ? r.json() : { names: [] }; })
        .then(function (data) {
          list.innerHTML = "";
          // An exact match ends the search: no other units are offered.
          if (data.names.indexOf(debtor.value.trim()) !== -1) return;
          data.names.forEach(function (name) {
            var li = document.createElement("li");
            var b = document.createElement("button");
            b.type = "button"; b.textContent = "您是否要找：" + name;
            b.addEventListener("click", function () { debtor.value = name; list.innerHTML = ""; });
            li.appendChild(b); list.appendChild(li);
          });
        });
    }, 250);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    document.querySelectorAll(".field-error").forEach(function (el) { el.textContent = ""; });
    var box = document.getElementById("form-error");
    box.hidden = true;
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    fetch("/api/v1/public/complaints", { method: "POST", body: new FormData(form) })
      .then(function (r) { return r.json().then(function (body) { return { status: r.status, body: body }; }); })
      .then(function (res) {
        button.disabled = false;
        if (res.status === 201) {
          form.hidden = true;
          document.getElementById("tracking-code").textContent = res.body.tracking_code;
          // The debtor could not be identified (or is outside the jurisdiction): say what happens next.
          var hint = document.getElementById("debtor-result-hint");
          if (res.body.debtor_hint) { hint.textContent = res.body.debtor_hint; hint.hidden = false; }
          document.getElementById("complaint-result").hidden = false;
          window.scrollTo(0, 0);
          return;
        }
        var errors = res.body.errors || {};
        Object.keys(errors).forEach(function (name) {
          var el = document.querySelector('.field-error[data-for="' + name + '"]');
          if (el) el.textContent = [].concat(errors[name]).join("；");
        });
        box.textContent = res.body.message || "提交失败，请稍后再试";
        box.hidden = false;
      })
      .catch(function () { button.disabled = false; box.textContent = "网络错误，请稍后再试"; box.hidden = false; });
  });
})();
