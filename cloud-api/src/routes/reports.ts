import { Hono } from "hono";
import { ApiError } from "../api-error.js";
import type { AppDeps, AppEnv } from "../app-env.js";
import { requireRole } from "../auth/api-key.js";
import { buildReport } from "../reports/build-report.js";
import { listStoredReports, storedReportHtml } from "../reports/daily-reports.js";
import { isReportKind, parseWindow, REPORT_KINDS } from "../reports/report-window.js";

/**
 * GET /v1/reports/{performance|fleet|coverage}?since=&until=&format=html|json (operator): built now;
 * with ?id= one the daily job stored. GET /v1/reports: the stored ones, newest first.
 */
export function reportsRoute(deps: AppDeps) {
  const operator = requireRole(deps.db, "operator");
  return new Hono<AppEnv>()
    .get("/v1/reports", operator, async (c) => c.json({ reports: await listStoredReports(deps.db) }))
    .get("/v1/reports/:kind", operator, async (c) => {
      const kind = c.req.param("kind");
      if (!isReportKind(kind))
        throw new ApiError(404, "not_found", `no report ${kind} (${REPORT_KINDS.join(", ")})`);
      const id = c.req.query("id");
      if (id !== undefined) {
        const html = await storedReportHtml(deps.db, kind, id);
        if (html === undefined) throw new ApiError(404, "not_found", `no stored ${kind} report ${id}`);
        return c.body(html, 200, htmlHeaders(kind));
      }
      const format = c.req.query("format") ?? "html";
      if (format !== "html" && format !== "json")
        throw new ApiError(400, "invalid_argument", "format: html or json");
      const window = parseWindow(c.req.query("since"), c.req.query("until"));
      const report = await buildReport(deps.db, kind, window, format);
      return c.body(report.body, 200, { ...htmlHeaders(kind, format), "content-type": report.contentType });
    });
}

// A fixed file name: nothing from the request goes into a header. The CSP forbids any fetch.
function htmlHeaders(kind: string, format = "html") {
  return {
    "content-type": "text/html; charset=utf-8",
    "content-disposition": `inline; filename="${kind}-report.${format}"`,
    "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
  };
}
