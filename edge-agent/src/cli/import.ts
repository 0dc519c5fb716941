import { statSync } from "node:fs";
import { type Command, Option } from "commander";
import { GpsTagger } from "../gps/gps-tagger.js";
import { ReadProgress } from "../sources/files/file-input.js";
import { FORMATS, type Format } from "../sources/import/format-names.js";
import { IMPORT_WRITER_OPTIONS, importFile } from "../sources/import/import-file.js";
import { BatchedWriter } from "../store/batched-writer.js";
import { importProgress } from "./import-progress.js";
import { type ImportOutcome, importTable, jsonEntry } from "./import-report.js";
import { message } from "./open-database.js";
import { openWritableStore } from "./open-writable-store.js";
import { printJson, printLines } from "./text-layout.js";

interface ImportOptions {
  db?: string;
  format: Format | "auto";
  json?: boolean;
}

/**
 * `import <files...>`: each file through importFile into the edge database, one BatchedWriter and one GPS
 * tagger for the whole call (a GPS log named before the scans tags them). A file that cannot be read or
 * recognised is reported and the others are still imported; the exit code is then 1. Ctrl-C stops after
 * committing what was queued: the interrupted file resumes on the next import of it.
 */
export function registerImport(program: Command): void {
  program
    .command("import")
    .description("import scan files (WiGLE CSV, iw, iwlist, nmcli, Kismet, gpsd, NMEA, btmgmt, bluetoothctl)")
    .argument("<files...>", "files to import; each is imported once (by content hash)")
    .option("--db <path>", "edge database file (default: $PIWARDRIVE_EDGE_DB or ./data/edge.db)")
    .addOption(
      new Option("--format <name>", "format of every file (default: detected from each file's content)")
        .choices(["auto", ...FORMATS])
        .default("auto"),
    )
    .option("--json", "print one JSON object")
    .action(async (files: string[], options: ImportOptions) => {
      const store = await openWritableStore(options.db);
      const writer = new BatchedWriter(store, IMPORT_WRITER_OPTIONS);
      const tagger = new GpsTagger();
      const progress = importProgress(process.stderr);
      const interrupt = new AbortController();
      const onSignal = () => {
        if (interrupt.signal.aborted) process.exit(130);
        interrupt.abort();
      };
      process.on("SIGINT", onSignal).on("SIGTERM", onSignal);
      const outcomes: ImportOutcome[] = [];
      try {
        for (const path of files) {
          if (interrupt.signal.aborted) break;
          const read = new ReadProgress();
          progress.start(path, statSync(path, { throwIfNoEntry: false })?.size ?? 0, read);
          try {
            const summary = await importFile({
              path,
              format: options.format,
              store,
              writer,
              tagger,
              now: Date.now(),
              signal: interrupt.signal,
              progress: read,
              onResume: (stored) =>
                process.stderr.write(
                  `${path}: resuming an interrupted import (${stored} sightings stored)\n`,
                ),
            });
            outcomes.push({ path, summary });
            if (!summary.skipped && summary.records === 0) {
              process.stderr.write(
                `${path}: no records read as ${summary.format}; not remembered as imported\n`,
              );
            }
          } catch (error) {
            const format = options.format === "auto" ? null : options.format;
            outcomes.push({ path, format, error: message(error) });
            process.stderr.write(`piwardrive-edge import: ${message(error)}\n`);
          } finally {
            progress.done();
          }
        }
        await writer.close();
      } finally {
        process.off("SIGINT", onSignal).off("SIGTERM", onSignal);
        store.close();
      }
      if (options.json) printJson({ files: outcomes.map(jsonEntry) });
      else printLines(importTable(outcomes));
      if (interrupt.signal.aborted) process.exitCode = 130;
      else if (outcomes.some((o) => "error" in o)) process.exitCode = 1;
    });
}
