// Copies the front-end libraries installed by `npm install` into core/static/vendor,
// so the product serves them itself and never depends on a CDN.
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..");
const copies = {
  "echarts/dist/echarts.min.js": "echarts/echarts.min.js",
  "echarts/LICENSE": "echarts/LICENSE",
  "swagger-ui-dist/swagger-ui.css": "swagger-ui/swagger-ui.css",
  "swagger-ui-dist/swagger-ui-bundle.js": "swagger-ui/swagger-ui-bundle.js",
  "swagger-ui-dist/swagger-ui-standalone-preset.js": "swagger-ui/swagger-ui-standalone-preset.js",
  "swagger-ui-dist/LICENSE": "swagger-ui/LICENSE",
};
// The accessibility engine the browser tests inject; kept in the repository so tests run offline.
const testCopies = {
  "axe-core/axe.min.js": "axe-core/axe.min.js",
  "axe-core/LICENSE": "axe-core/LICENSE",
};
for (const [from, to] of Object.entries(testCopies)) {
  const target = path.join(root, "tests/browser/vendor", to);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.copyFileSync(path.join(root, "node_modules", from), target);
  console.log(`${from} -> tests/browser/vendor/${to}`);
}
for (const [from, to] of Object.entries(copies)) {
  const target = path.join(root, "core/static/vendor", to);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.copyFileSync(path.join(root, "node_modules", from), target);
  console.log(`${from} -> ${to}`);
}
