import { stat } from "node:fs/promises";
import { type Command, InvalidArgumentError, Option } from "commander";
import { GpsTagger } from "../gps/gps-tagger.js";
import { FORMATS, type Format } from "../sources/import/format-names.js";
import { detectFormat, FORMAT_SPECS } from "../sources/import/formats.js";
import { replayDrive } from "../sources/live/replay.js";
import { BatchedWriter } from "../store/batched-writer.js";
import { CliError } from "./open-database.js";
import { openWritableStore } from "./open-writable-store.js";
import { aligned, duration, printJson, printLines } from "./text-layout.js";

interface ReplayOptions {
  db: string;
  speed: number;
  now?: boolean;
  format: Format | "auto";
  json?: boolean;
}

interface ReplayedFile {
  path: string;
  format: Format;
  observations: number;
  fixes: number;
  driveMs: number;
}

/**
 * `replay <files...>`: plays recorded drives into a database through the GPS tagger and the BatchedWriter,
 * paced as recorded (--speed scales it, 0 = as fast as possible), for demos and as a steady load on the
 * writer and sync. Files play one after another; with --now each is re-dated to start when it starts
 * playing. Nothing goes into imported_files: a replay is not an import. --db is required so a demo never
 * lands in the agent's own database by default.
 */
export function registerReplay(program: Command): void {
  program
    .command("replay")
    .description("play recorded scan/GPS files into a database at real or accelerated speed")
    .argument("<files...>", "files to play, in order")
    .requiredOption("--db <path>", "database to play into (created if missing)")
    .option("--speed <n>", "1 = as recorded, 10 = ten times faster, 0 = no waiting", parseSpeed, 1)
    .option("--now", "re-date each file so that it starts now")
    .addOption(
      new Option("--format <name>", "format of every file").choices(["auto", ...FORMATS]).default("auto"),
    )
    .option("--json", "print one JSON object")
    .action(async (files: string[], options: ReplayOptions) => {
      const store = await openWritableStore(options.db);
      const writer = new BatchedWriter(store);
      const tagger = new GpsTagger();
      const interrupt = new AbortController();
      const onSignal = () => interrupt.abort();
      process.on("SIGINT", onSignal).on("SIGTERM", onSignal);
      const played: ReplayedFile[] = [];
      try {
        for (const path of files) {
          if (interrupt.signal.aborted) break;
          const format = await formatOf(path, options.format);
          const spec = FORMAT_SPECS[format];
          const info = await stat(path);
          const now = Date.now();
          const events = spec.read(path, { capturedAt: Math.min(info.mtimeMs, now), now });
          const result = await replayDrive(events, {
            speed: options.speed,
            ...(options.now ? { startAt: now } : {}),
            signal: interrupt.signal,
            onObservation: (o) => writer.write(spec.positioned ? o : tagger.tag(o)),
            onFix: (fix) => {
              tagger.addFix(fix);
              writer.writeFixes([fix]);
            },
          });
          played.push({ path, format, ...result });
        }
      } finally {
        // What was played is kept, even when a later file cannot be read.
        await writer.close();
        process.off("SIGINT", onSignal).off("SIGTERM", onSignal);
        store.close();
      }
      if (options.json) printJson({ files: played });
      else printLines(played.flatMap(replayText));
    });
}

async function formatOf(path: string, requested: Format | "auto"): Promise<Format> {
  if (requested !== "auto") return requested;
  const format = await detectFormat(path).catch((error: unknown) => {
    throw new CliError(`cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`);
  });
  if (format === null) throw new CliError(`${path}: unrecognised format; name it with --format`);
  return format;
}

function parseSpeed(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError("expected a number >= 0");
  return n;
}

function replayText(r: ReplayedFile): string[] {
  return [
    r.path,
    ...aligned([
      ["format", r.format],
      ["sightings", r.observations],
      ["GPS fixes", r.fixes],
      ["drive length", duration(r.driveMs)],
    ]),
  ];
}
