// The API reference page (/api-docs): Swagger UI over the app's own OpenAPI document, so the
// reference is generated from the route table and can never drift from it. It runs without inline
// script (our CSP forbids it) and calls no outside host: no validator badge, no remote fonts.
import SwaggerUIBundle from "swagger-ui-dist/swagger-ui-bundle.js";

SwaggerUIBundle({
  url: "/api/openapi.json",
  dom_id: "#api-reference",
  deepLinking: true,
  validatorUrl: null,
  // Requests from "Try it out" go out with this browser's session; writes still need the CSRF header.
  withCredentials: true,
  docExpansion: "none",
  defaultModelsExpandDepth: 0,
});
