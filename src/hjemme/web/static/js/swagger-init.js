/* Starts Swagger UI on /openapi.json; a file of its own because the CSP allows no inline script,
   and no validator badge, which would call a server outside the hospital. */
window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  validatorUrl: null,
  deepLinking: true,
  layout: "BaseLayout",
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset]
});
