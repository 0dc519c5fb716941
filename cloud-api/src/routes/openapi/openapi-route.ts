import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { Hono } from "hono";
import type { AppEnv } from "../../app-env.js";
import { openApiDocument } from "./document.js";
import { ROUTE_DOCS } from "./route-docs.js";

// package.json sits three levels up from both src/routes/openapi and dist/routes/openapi.
const VERSION = (
  JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version: string }
).version;

/** swagger-ui-dist's own files, served from the package (no CDN). */
const ASSETS: Record<string, string> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
};
const assetDir = () => join(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"), "..");

const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>PiWardrive cloud API</title><link rel="stylesheet" href="/docs/swagger-ui.css"></head>
<body><div id="swagger-ui"></div><script src="/docs/swagger-ui-bundle.js"></script><script src="/docs/init.js"></script></body>
</html>
`;
const INIT = `window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true });\n`;

/**
 * GET /openapi.json (the OpenAPI 3.1 document, from the routes' own zod schemas) and GET /docs (Swagger UI
 * from the swagger-ui-dist package). Both public: they describe the API, they hold no data. Scripts are
 * files, not inline, so the page works under a strict Content-Security-Policy.
 */
export function openApiRoute() {
  // Built on the first request, not when the app starts: every API process would otherwise spend ~0.2 s
  // of CPU and a few MB of peak memory at start-up on a document most of them never serve.
  let document: string | undefined;
  const json = () => {
    document ??= JSON.stringify(openApiDocument(ROUTE_DOCS, VERSION));
    return document;
  };
  const cache = new Map<string, Buffer>();
  const csp = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'";
  return new Hono<AppEnv>()
    .get("/openapi.json", (c) => c.body(json(), 200, { "content-type": "application/json" }))
    .get("/docs", (c) => c.html(DOCS_PAGE, 200, { "content-security-policy": csp }))
    .get("/docs/init.js", (c) => c.body(INIT, 200, { "content-type": "text/javascript; charset=utf-8" }))
    .get("/docs/:asset", (c) => {
      const name = c.req.param("asset");
      const type = ASSETS[name];
      if (type === undefined) return c.notFound();
      let bytes = cache.get(name);
      if (bytes === undefined) {
        bytes = readFileSync(join(assetDir(), name));
        cache.set(name, bytes);
      }
      return c.body(new Uint8Array(bytes), 200, {
        "content-type": type,
        "cache-control": "public, max-age=86400",
      });
    });
}
