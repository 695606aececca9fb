/**
 * The interactive API reference at /docs: Swagger UI (swagger-ui-dist) rendering /openapi.json.
 * Every file the page loads is served by this service under /docs/assets/ — on Node from
 * node_modules, on Workers from the static assets wrangler uploads — so it works with no
 * internet, and its Content-Security-Policy lets the browser load nothing from anywhere else.
 */

/** The swagger-ui-dist files the page loads, by name, with their media types. */
export const referenceAssets = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png',
} as const;
export type ReferenceAsset = keyof typeof referenceAssets;

/** Reads one swagger-ui-dist file: its bytes, or null when this deployment does not have it. */
export type ReferenceAssetReader = (
  name: ReferenceAsset,
) => Promise<Uint8Array<ArrayBuffer> | null>;

/** Served by the app itself (not from swagger-ui-dist, whose own file of this name points at a demo spec). */
export const REFERENCE_INITIALIZER = 'swagger-initializer.js';

export const referenceInitializer = `window.addEventListener('load', () => {
  window.ui = SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    // No validator badge: by default Swagger UI sends the spec's URL to an online validator.
    validatorUrl: null,
    persistAuthorization: true,
  });
});
`;

export const referencePage = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Parallax API reference</title>
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
  <link rel="icon" type="image/png" sizes="32x32" href="/docs/assets/favicon-32x32.png">
  <link rel="icon" type="image/png" sizes="16x16" href="/docs/assets/favicon-16x16.png">
</head>
<body>
  <noscript>The reference needs JavaScript. The specification itself is at <a href="/openapi.json">/openapi.json</a>.</noscript>
  <div id="swagger-ui"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/assets/${REFERENCE_INITIALIZER}"></script>
</body>
</html>
`;

/** Same origin only; inline styles because Swagger UI sets style attributes; data: for the icons in its CSS. */
export const referenceContentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');
