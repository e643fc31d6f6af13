// Starts Swagger UI from local assets; kept out of the page so the CSP can forbid inline script.
window.addEventListener("load", function () {
  var node = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({ url: node.dataset.specUrl, dom_id: "#swagger-ui" });
});
