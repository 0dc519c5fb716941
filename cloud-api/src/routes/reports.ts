import { Hono } from "hono";
import { ApiError } from "../api-error.js";
import type { AppDeps, AppEnv } from "../app-env.js";
import { requireRole } from "../auth/api-key.js";
import { buildReport } from "../reports/build-report.js";
import { isReportKind, parseWindow, REPORT_KINDS } from "../reports/report-window.js";

/** GET /v1/reports/{performance|fleet|coverage}?since=&until=&format=html|json (operator). */
export function reportsRoute(deps: AppDeps) {
  return new Hono<AppEnv>().get("/v1/reports/:kind", requireRole(deps.db, "operator"), async (c) => {
    const kind = c.req.param("kind");
    if (!isReportKind(kind))
      throw new ApiError(404, "not_found", `no report ${kind} (${REPORT_KINDS.join(", ")})`);
    const format = c.req.query("format") ?? "html";
    if (format !== "html" && format !== "json")
      throw new ApiError(400, "invalid_argument", "format: html or json");
    const window = parseWindow(c.req.query("since"), c.req.query("until"));
    const report = await buildReport(deps.db, kind, window, format);
    // a fixed file name: nothing from the request goes into a header
    return c.body(report.body, 200, {
      "content-type": report.contentType,
      "content-disposition": `inline; filename="${kind}-report.${format}"`,
      "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
    });
  });
}
