import type { Client } from "@libsql/client";
import { coverageData, coverageHtml } from "./coverage-report.js";
import { fleetData, fleetHtml } from "./fleet-report.js";
import { performanceData, performanceHtml } from "./performance-report.js";
import type { ReportKind, ReportWindow } from "./report-window.js";

export interface RenderedReport {
  contentType: "text/html; charset=utf-8" | "application/json";
  body: string;
}

/** Builds one report over a window, as one self-contained HTML file or as JSON (the same figures). */
export async function buildReport(
  db: Client,
  kind: ReportKind,
  w: ReportWindow,
  format: "html" | "json",
): Promise<RenderedReport> {
  const window = { since: new Date(w.since).toISOString(), until: new Date(w.until).toISOString() };
  let html: string;
  let data: unknown;
  if (kind === "performance") {
    const d = await performanceData(db, w);
    [data, html] = [d, format === "html" ? performanceHtml(d, w) : ""];
  } else if (kind === "fleet") {
    const d = await fleetData(db, w);
    [data, html] = [d, format === "html" ? fleetHtml(d, w) : ""];
  } else {
    const d = await coverageData(db, w);
    [data, html] = [d, format === "html" ? coverageHtml(d, w) : ""];
  }
  if (format === "html") return { contentType: "text/html; charset=utf-8", body: html };
  return { contentType: "application/json", body: JSON.stringify({ kind, ...window, ...(data as object) }) };
}
