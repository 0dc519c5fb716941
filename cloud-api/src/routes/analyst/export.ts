import { Hono } from "hono";
import type { AppDeps, AppEnv } from "../../app-env.js";
import { requireRole } from "../../auth/api-key.js";
import { parseExportQuery } from "../../exports/export-filters.js";
import { exportFileName } from "../../exports/export-formats.js";
import { exportStream } from "../../exports/export-stream.js";
import { gzipStream } from "../../exports/gzip-stream.js";
import { readQuery } from "./query.js";
import { exportQuerySchema } from "./schema.js";

/**
 * GET /v1/export?format=wigle|csv|geojson|kml&what=observations|networks&<filters> (analyst or higher):
 * the filters of GET /v1/networks or GET /v1/observations (exports/export-filters.ts); the file streamed
 * page by page (constant memory; a slow client slows the reads), gzip when accepted.
 */
export function exportRoute(deps: AppDeps) {
  return new Hono<AppEnv>().get("/v1/export", requireRole(deps.db, "analyst"), (c) => {
    const query = parseExportQuery(readQuery(c, exportQuerySchema));
    const file = exportStream({
      db: deps.db,
      ...query,
      options: { placement: query.placement },
    });
    const headers: Record<string, string> = {
      "content-type": file.contentType,
      "content-disposition": `attachment; filename="${exportFileName(query.what, file.extension, Date.now())}"`,
      "cache-control": "no-store",
      vary: "accept-encoding",
    };
    if (acceptsGzip(c.req.header("accept-encoding"))) {
      headers["content-encoding"] = "gzip";
      return c.body(gzipStream(file.body), 200, headers);
    }
    return c.body(file.body, 200, headers);
  });
}

/** `gzip` listed with a non-zero quality (`gzip;q=0` means "not gzip"). */
export function acceptsGzip(header: string | undefined): boolean {
  if (header === undefined) return false;
  return header.split(",").some((part) => {
    const [name = "", ...params] = part.trim().toLowerCase().split(";");
    if (name !== "gzip" && name !== "*") return false;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}
