// Renders the OpenAPI document named by #swagger-ui's data-openapi-url with Swagger UI
// (served from the flask-swagger-ui package); no inline script, nothing from a CDN.
document.addEventListener("DOMContentLoaded", function () {
  var element = document.getElementById("swagger-ui");
  if (!element || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  window.SwaggerUIBundle({
    url: element.getAttribute("data-openapi-url"),
    domNode: element,
    deepLinking: true,
    docExpansion: "list",
    tryItOutEnabled: false,
    validatorUrl: null
  });
});
