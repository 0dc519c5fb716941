import { writeFile } from "node:fs/promises";
import { Argument, Command, Option } from "commander";
import { buildReport } from "../reports/build-report.js";
import { parseWindow, REPORT_KINDS, type ReportKind } from "../reports/report-window.js";
import { configFrom, print, withDb, withDbOption } from "./options.js";

export function reportCommand(): Command {
  return withDbOption(new Command("report"))
    .description("write a performance, fleet or coverage report (one self-contained HTML file, or JSON)")
    .addArgument(new Argument("<kind>", "performance | fleet | coverage").choices(REPORT_KINDS))
    .option("--since <time>", "ISO 8601 or epoch ms (default: 7 days before --until)")
    .option("--until <time>", "ISO 8601 or epoch ms (default: now)")
    .addOption(new Option("--format <format>", "html or json").choices(["html", "json"]).default("html"))
    .option("--out <file>", "write to this file instead of stdout")
    .action(
      async (
        kind: ReportKind,
        flags: { db?: string; since?: string; until?: string; format: "html" | "json"; out?: string },
      ) => {
        const window = parseWindow(flags.since, flags.until);
        const report = await withDb(configFrom(flags), (db) => buildReport(db, kind, window, flags.format));
        if (flags.out === undefined) print(report.body);
        else await writeFile(flags.out, report.body);
      },
    );
}
