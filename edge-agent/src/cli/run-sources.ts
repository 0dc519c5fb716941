import { stat } from "node:fs/promises";
import type { GpsFixRecord, ObservationRecord } from "@piwardrive/shared-schema/domain";
import type { AgentConfig } from "../config-file.js";
import type { GpsTagger } from "../gps/gps-tagger.js";
import { GpsdClient } from "../gps/gpsd-client.js";
import { detectFormat, FORMAT_SPECS } from "../sources/import/formats.js";
import { LiveScanner, type ScanParser } from "../sources/live/live-scanner.js";
import { replayDrive } from "../sources/live/replay.js";
import { parseIwScan } from "../sources/parsers/parse-iw.js";
import { parseIwlistScan } from "../sources/parsers/parse-iwlist.js";
import { parseNmcli } from "../sources/parsers/parse-nmcli.js";
import type { BatchedWriter } from "../store/batched-writer.js";

const LIVE_PARSERS: Record<NonNullable<AgentConfig["scan"]>["format"], ScanParser> = {
  iw: parseIwScan,
  iwlist: parseIwlistScan,
  nmcli: parseNmcli,
};

export interface RunningSources {
  scanner: LiveScanner | null;
  gpsd: GpsdClient | null;
  /** Settles when the replay has played every file (or was stopped); resolved at once without one. */
  replayed: Promise<{ observations: number; fixes: number }>;
  stop(): Promise<void>;
}

/**
 * Starts the configured sources. Every sighting goes through the GPS tagger (unless it carries its own
 * position) into the writer; every fix goes to both.
 */
export function startSources(
  config: AgentConfig,
  sink: { writer: BatchedWriter; tagger: GpsTagger },
  log: (line: string) => void,
): RunningSources {
  const { writer, tagger } = sink;
  const onFix = (fix: GpsFixRecord) => {
    tagger.addFix(fix);
    writer.writeFixes([fix]);
  };
  const onObservations = (observations: readonly ObservationRecord[]) =>
    writer.write(observations.map((o) => tagger.tag(o)));

  const scanner = config.scan
    ? new LiveScanner({
        command: config.scan.command,
        parse: LIVE_PARSERS[config.scan.format],
        intervalMs: config.scan.intervalMs,
        onObservations,
        onFixes: (fixes) => {
          for (const fix of fixes) onFix(fix);
        },
      })
    : null;
  scanner?.start();

  const gpsd = config.gpsd ? new GpsdClient({ host: config.gpsd.host, port: config.gpsd.port }) : null;
  gpsd?.on("fix", onFix);
  gpsd?.on("disconnected", ({ reason, reconnectInMs }) =>
    log(`gpsd disconnected (${reason}); reconnecting in ${reconnectInMs} ms`),
  );
  gpsd?.start();

  const abort = new AbortController();
  const replayed = config.replay
    ? replayFiles(config.replay, abort.signal, { onFix, onObservations })
    : Promise.resolve({ observations: 0, fixes: 0 });

  return {
    scanner,
    gpsd,
    replayed,
    async stop() {
      scanner?.stop();
      abort.abort();
      await Promise.all([gpsd?.close(), replayed.catch(() => undefined)]);
    },
  };
}

async function replayFiles(
  replay: NonNullable<AgentConfig["replay"]>,
  signal: AbortSignal,
  to: { onFix: (fix: GpsFixRecord) => void; onObservations: (o: ObservationRecord[]) => Promise<unknown> },
) {
  const total = { observations: 0, fixes: 0 };
  for (const path of replay.files) {
    if (signal.aborted) break;
    const format = await detectFormat(path);
    if (format === null) throw new Error(`${path}: unrecognised format`);
    const spec = FORMAT_SPECS[format];
    const now = Date.now();
    const capturedAt = Math.min((await stat(path)).mtimeMs, now);
    const result = await replayDrive(spec.read(path, { capturedAt, now }), {
      speed: replay.speed,
      startAt: now,
      signal,
      onObservation: (o) => to.onObservations([o]),
      onFix: to.onFix,
    });
    total.observations += result.observations;
    total.fixes += result.fixes;
  }
  return total;
}
