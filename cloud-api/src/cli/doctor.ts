import { existsSync } from "node:fs";
import { Command } from "commander";
import { toDbUrl } from "../db/cloud-db.js";
import type { CloudDoctorReport } from "../db/doctor-report.js";
import { loggableUrl } from "../logger.js";
import { configFrom, parseIntFlag, print, withDb, withDbOption } from "./options.js";

interface DoctorFlags {
  db?: string;
  json?: boolean;
  top?: number;
}

/**
 * `doctor`: is the cloud database tuned as intended on every connection, are the hot statements indexed,
 * how big are the files, what did maintenance last do. Exits 1 when it finds a problem.
 */
export function doctorCommand(): Command {
  return withDbOption(new Command("doctor"))
    .description(
      "check pragmas on every connection, file sizes, free pages, hot-statement plans, slow statements, maintenance",
    )
    .option("--json", "print one JSON object")
    .option("--top <n>", "statements to list (default 10)", parseIntFlag)
    .action(async (flags: DoctorFlags) => {
      const config = configFrom(flags);
      const { url, isFile } = toDbUrl(config.db);
      const dbPath = isFile ? url.slice("file:".length) : undefined;
      if (dbPath !== undefined && !existsSync(dbPath)) {
        throw new Error(`no database at ${dbPath} (run \`piwardrive-cloud migrate\` first)`);
      }
      const { collectCloudDoctorReport } = await import("../db/doctor-report.js");
      const report = await withDb(config, (db) =>
        collectCloudDoctorReport({
          db,
          label: loggableUrl(config.db),
          dbPath,
          busyTimeoutMs: config.busyTimeoutMs,
          slowStatementMs: config.slowStatementMs,
          top: flags.top ?? 10,
        }),
      );
      if (flags.json) print(JSON.stringify(report));
      else for (const line of doctorText(report)) print(line);
      if (report.problems.length > 0) process.exitCode = 1;
    });
}

const mib = (n: number) => `${(n / 1048576).toFixed(2)} MiB`;
const pad = (rows: [string, string][]) => {
  const width = Math.max(0, ...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`);
};
// statement text is ours (no parameters), but keep every line one line
const oneLine = (s: string, max = 140) => {
  const flat = s.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

export function doctorText(r: CloudDoctorReport): string[] {
  const names = Object.keys(r.connections[0]?.pragmas ?? {});
  const m = r.maintenance;
  const lines = [
    `database ${r.db}`,
    ...(r.files === undefined
      ? ["  (a libSQL server: no local files)"]
      : pad([
          ["file", mib(r.files.dbBytes)],
          ["WAL", mib(r.files.walBytes)],
          ["shared memory", mib(r.files.shmBytes)],
        ])),
    ...pad([
      ["pages", `${r.pages.pageCount} x ${r.pages.pageSize} B`],
      ["free pages", `${r.pages.freelistCount} (${r.pages.freePercent}%)`],
      ["statistics", r.analyzed ? "analyzed" : "never analyzed"],
    ]),
    "",
    `pragmas per connection (${r.connections.map((c) => c.connection).join(" | ")}) [expected]`,
    ...pad(
      names.map((name) => {
        const values = r.connections.map((c) => String(c.pragmas[name]));
        const want = r.expected[name];
        return [name, `${values.join(" | ")}${want === undefined ? "" : `  [${want}]`}`];
      }),
    ),
    "",
    `hot statement plans (${r.plans.length})`,
    ...r.plans.map(
      (p) => `  ${p.fullScans.length > 0 ? "scan " : "ok   "} ${p.name}: ${oneLine(p.plan.join(" | "), 160)}`,
    ),
    "",
    `hot reads timed once, slowest first (slow at >= ${r.statements.thresholdMs} ms: ${r.statements.slow.length})`,
    ...r.statements.reads.map((s) => `  ${s.ms.toFixed(2).padStart(9)} ms  ${s.name} (${s.rows} rows)`),
    "",
    m === null
      ? "maintenance: never run (the worker runs it on its {maintenance} schedule)"
      : `maintenance: last run ${m.startedAt}, ${m.status}, ${m.durationMs} ms`,
  ];
  if (m !== null && "retention" in m.result) {
    const res = m.result;
    lines.push(
      ...pad([
        ["payloads dropped", `${res.retention.payloadsDropped} (${mib(res.retention.bytesDropped)})`],
        [
          "checkpoint",
          res.checkpoint.mode === "PASSIVE"
            ? `PASSIVE ${res.checkpoint.checkpointedFrames}/${res.checkpoint.walFrames} frames`
            : res.checkpoint.reason,
        ],
        ["vacuum", res.vacuum.ran ? `ran (${res.vacuum.reason})` : res.vacuum.reason],
      ]),
    );
    if (res.slowStatements.length > 0) {
      lines.push("  worker's slowest statements then:");
      for (const s of res.slowStatements) {
        lines.push(`  ${s.maxMs.toFixed(2).padStart(9)} ms  x${s.count}  ${oneLine(s.statement, 100)}`);
      }
    }
  }
  if (r.notes.length > 0) lines.push("", `notes (${r.notes.length}):`, ...r.notes.map((n) => `  ${n}`));
  lines.push("", r.problems.length === 0 ? "problems: none" : `problems (${r.problems.length}):`);
  for (const p of r.problems) lines.push(`  ${p}`);
  return lines;
}
