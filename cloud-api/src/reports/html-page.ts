import { escapeHtml } from "./escape.js";

/** Inline styles only: the report is one file that opens offline and prints on A4. */
const STYLE = `body{font:13px/1.4 system-ui,sans-serif;margin:24px;color:#111}h1{font-size:20px}h2{font-size:15px;margin-top:24px}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}
.chart{width:100%;max-width:720px;height:auto;display:block}.ok{color:#1a7f37}.bad{color:#b30000}
@media print{body{margin:0}h2{break-after:avoid}.chart,table{break-inside:avoid}}`;

export interface Section {
  heading: string;
  html: string;
}

export function htmlPage(title: string, subtitle: string, sections: Section[]): string {
  const body = sections
    .map((s) => `<section><h2>${escapeHtml(s.heading)}</h2>${s.html}</section>`)
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(subtitle)}</p>
${body}
</body></html>
`;
}

/** A table from rows of already-escaped-or-plain cells: every cell is escaped here unless marked html. */
export function table(headers: string[], rows: (string | number | null | { html: string })[][]): string {
  const cell = (v: string | number | null | { html: string }) =>
    typeof v === "object" && v !== null ? v.html : escapeHtml(v ?? "");
  return `<table><thead><tr>${headers.map((h) => `<th>${escapeHtml(h)}</th>`).join("")}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((v) => `<td>${cell(v)}</td>`).join("")}</tr>`)
    .join("")}</tbody></table>`;
}
