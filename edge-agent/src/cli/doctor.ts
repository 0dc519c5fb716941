import { type Command, InvalidArgumentError, Option } from "commander";
import { collectDoctorReport, type DoctorReport } from "./doctor-report.js";
import { openExistingStore } from "./open-database.js";
import { aligned, bytes, display, duration, oneLine, printJson, printLines } from "./text-layout.js";

interface DoctorOptions {
  db?: string;
  profile?: "small" | "medium" | "large";
  json?: boolean;
  top: number;
}

/** `doctor`: is the database tuned as intended, are the hot queries indexed, what has been slow. */
export function registerDoctor(program: Command): void {
  program
    .command("doctor")
    .description("check pragmas, file sizes, indexes, hot-query plans, slow queries and free pages")
    .option("--db <path>", "edge database file (default: $PIWARDRIVE_EDGE_DB or ./data/edge.db)")
    .addOption(
      new Option("--profile <name>", "tuning profile to apply").choices(["small", "medium", "large"]),
    )
    .option("--top <n>", "slowest queries to list", parseCount, 10)
    .option("--json", "print one JSON object")
    .action(async (options: DoctorOptions) => {
      const store = await openExistingStore(options);
      try {
        const report = await collectDoctorReport(store, options.top);
        if (options.json) printJson(report);
        else printLines(doctorText(report));
      } finally {
        store.close();
      }
    });
}

function parseCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError("expected a whole number");
  return n;
}

function doctorText(r: DoctorReport): string[] {
  const drift = Object.entries(r.drift);
  const m = r.maintenance;
  return [
    ...aligned(
      [
        ["database", r.db],
        ["profile", `${r.tuning.profile} (synchronous ${r.tuning.synchronous})`],
        ["database file", bytes(r.files.dbBytes)],
        ["WAL file", bytes(r.files.walBytes)],
        ["shared memory", bytes(r.files.shmBytes)],
      ],
      "",
    ),
    "",
    "pragmas (read back on this connection; expected in brackets)",
    ...aligned(
      Object.entries(r.pragmas).map(([name, value]) => {
        const expected = r.expected[name];
        return [name, expected === undefined ? display(value) : `${display(value)}  [${expected}]`];
      }),
    ),
    drift.length === 0
      ? "drift: none"
      : `drift: ${drift.map(([n, [want, got]]) => `${n} expected ${want}, got ${display(got)}`).join("; ")}`,
    "",
    `indexes (${r.indexes.length})`,
    ...aligned(r.indexes.map((i) => [i.name, `on ${i.table}`])),
    "",
    "hot query plans",
    ...aligned(Object.entries(r.plans).map(([name, p]) => [name, p.plan.replaceAll("\n", " | ")])),
    "",
    `slow queries: ${r.slowQueries.count} recorded${r.slowQueries.top.length > 0 ? "; slowest:" : ""}`,
    ...r.slowQueries.top.map((q) => `  ${duration(q.durationMs).padStart(8)}  ${oneLine(q.sql)}`),
    "",
    "maintenance",
    ...aligned([
      ["pages", `${m.pageCount} x ${m.pageSize} B`],
      ["free pages", `${m.freelistCount} (${(m.freelistRatio * 100).toFixed(1)}%)`],
      ["statistics", m.analyzed ? "analyzed" : "never analyzed"],
    ]),
  ];
}
