// Starts Swagger UI on /api/docs from a file, so the page needs no inline script.
(function () {
  "use strict";
  var container = document.getElementById("swagger-ui-container");
  var config = JSON.parse(document.getElementById("swagger-ui-config").textContent || "{}");
  config.url = container.getAttribute("data-spec-url");
  config.dom_id = "#swagger-ui-container";
  window.ui = window.SwaggerUIBundle(config);
})();
