import { type Command, Option } from "commander";
import { openExistingStore } from "./open-database.js";
import { collectStatusReport, type HealthStatus, type StatusReport } from "./status-report.js";
import { aligned, display, duration, printJson, printLines } from "./text-layout.js";

interface StatusOptions {
  db?: string;
  profile?: "small" | "medium" | "large";
  json?: boolean;
}

/** `status`: what is stored, what the cloud has not acknowledged, and what the resource guards did last. */
export function registerStatus(program: Command): void {
  program
    .command("status")
    .description("show counts, sync backlog, sync targets and the latest health sample")
    .option("--db <path>", "edge database file (default: $PIWARDRIVE_EDGE_DB or ./data/edge.db)")
    .addOption(
      new Option("--profile <name>", "tuning profile to apply").choices(["small", "medium", "large"]),
    )
    .option("--json", "print one JSON object")
    .action(async (options: StatusOptions) => {
      const store = await openExistingStore(options);
      try {
        const report = await collectStatusReport(store);
        if (options.json) printJson(report);
        else printLines(statusText(report));
      } finally {
        store.close();
      }
    });
}

function statusText(r: StatusReport): string[] {
  const kinds = Object.entries(r.counts.networksByKind).map(([kind, n]) => `${kind} ${n}`);
  return [
    ...aligned(
      [
        ["database", r.db],
        ["observations", r.counts.observations],
        ["networks", kinds.length > 0 ? `${r.counts.networks} (${kinds.join(", ")})` : r.counts.networks],
        ["gps fixes", r.counts.gpsFixes],
        ["imported files", r.counts.importedFiles],
        ["backlog", `${r.backlog.observations} observations not acknowledged`],
        ["acked seq", r.backlog.ackedSeq ?? "none (nothing acknowledged yet)"],
        ["last seq", r.backlog.lastSeq],
      ],
      "",
    ),
    "",
    `sync targets (${r.sync.length})`,
    ...aligned(
      r.sync.map((s) => [
        s.target,
        `acked ${s.ackedSeq}, backlog ${s.backlog}` +
          (s.lastError === null ? "" : `, last error: ${s.lastError}`),
      ]),
    ),
    "",
    ...healthText(r.health),
  ];
}

function healthText(h: HealthStatus | null): string[] {
  if (h === null) return ["health: no sample recorded (the guards have not run on this database)"];
  // Each guard is { <state>, reason }; the state word for a boolean is its name when true (e.g. "hot").
  const words: Record<string, [string, string]> = {
    disk: ["belowFloor", "below floor"],
    heat: ["hot", "hot"],
    lag: ["lagging", "lagging"],
  };
  const guardRows = ["memory", "disk", "heat", "lag"].map((name): [string, string] => {
    const g = h.guards[name] as Record<string, unknown> | undefined;
    if (g === undefined) return [name, "-"];
    const word = words[name];
    const state = word === undefined ? display(g.level) : g[word[0]] === true ? word[1] : "ok";
    return [name, `${state} (${display(g.reason)})`];
  });
  const actions = h.guards.actions as Record<string, unknown> | undefined;
  const writer = h.writer;
  return [
    `health (sampled ${duration(h.ageMs)} ago)`,
    ...aligned([
      ["rss", h.rssMb === null ? "-" : `${h.rssMb.toFixed(1)} MB`],
      ["available memory", h.availableMemMb === null ? "-" : `${h.availableMemMb.toFixed(1)} MB`],
      ["free disk", h.diskFreeMb === null ? "-" : `${h.diskFreeMb.toFixed(1)} MB`],
      ["SoC temperature", h.socTempC === null ? "-" : `${h.socTempC.toFixed(1)} °C`],
      ["event-loop p99", h.eventLoopLagMs === null ? "-" : `${h.eventLoopLagMs.toFixed(1)} ms`],
      ["writer queue", h.writerQueueDepth],
      ...guardRows,
      ["scan cadence", `x${display(h.guards.scanIntervalMultiplier)}`],
      ["batch rows", actions?.maxBatchRows],
      ["cache KiB", actions?.cacheSizeKib],
      ["refusing", actions?.refusing ?? "no"],
      ["writer", writer === null ? "-" : writerLine(writer)],
    ]),
  ];
}

function writerLine(w: Record<string, unknown>): string {
  return `committed ${display(w.committedObservations)}, flushes ${display(w.flushes)}, failed ${display(
    w.failedFlushes,
  )}, refused ${display(w.refused)}`;
}
