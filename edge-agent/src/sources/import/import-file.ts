import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import type { GpsFixRecord, ObservationRecord } from "@piwardrive/shared-schema/domain";
import type { SourceEvent } from "../../events/source-event.js";
import type { GpsTagger } from "../../gps/gps-tagger.js";
import type { BatchedWriter, BatchedWriterOptions } from "../../store/batched-writer.js";
import type { EdgeStore } from "../../store/edge-store.js";
import { hashFile, ImportInputError, type ReadProgress } from "../files/file-input.js";
import { FORMATS, type Format } from "./format-names.js";
import { detectFormat, FORMAT_SPECS } from "./formats.js";
import { beginImport, countStored, findImport, finishImport, forgetImport } from "./import-ledger.js";
import { type ImportSummary, ImportTally } from "./import-tally.js";
import { QueuedRows } from "./queued-rows.js";
import { readInWorker, WORKER_MIN_BYTES } from "./read-in-worker.js";
import { isStreamed } from "./streamed-formats.js";

export type { ImportSummary } from "./import-tally.js";

/**
 * The writer a bulk import runs with (the CLI, and the import benchmark's writer-only phase): 1,000-row
 * transactions and a queue of one batch, not the writer's 4,000-row default. Here the sightings arrive
 * from the parser thread while the main thread commits, and each row held longer is a row V8 promotes:
 * 4,000-row batches raised the CLI's peak RSS on a 1,000,000-row import from 126-130 to 173-176 MB
 * (`/usr/bin/time`, two runs each; 183 MB at 2,000) at the same speed. A queue deeper than one batch only
 * leaves rows waiting for the same reason.
 */
export const IMPORT_WRITER_OPTIONS: Readonly<BatchedWriterOptions> = {
  maxBatchRows: 1000,
  maxQueueRows: 1000,
};

export interface ImportFileOptions {
  path: string;
  /** Omitted or "auto": detected from the content. */
  format?: Format | "auto";
  store: EdgeStore;
  writer: BatchedWriter;
  /** Tags sightings of formats without their own position; fed every fix the file holds. */
  tagger?: GpsTagger;
  /** Wall clock (ms): plausibility checks and imported_at. */
  now: number;
  /** Sightings per writer.write() call: the writer's back-pressure applies between chunks. */
  chunkRows?: number;
  signal?: AbortSignal;
  progress?: ReadProgress;
  /** Files from this size up are parsed on a worker thread (default WORKER_MIN_BYTES). */
  workerMinBytes?: number;
  /** Called when an interrupted import of the same content is resumed. */
  onResume?: (storedBefore: number) => void;
}

/**
 * Imports one file: hashes it (SHA-256, streamed), skips it when imported_files already has the hash,
 * otherwise streams its events into the writer (sightings through the GPS tagger when the format has no
 * position of its own; fixes to the writer and the tagger) and records it in imported_files.
 * See import-ledger.ts for how an import interrupted at any point is resumed without duplicates.
 * Throws ImportInputError for a file it cannot read or recognise (nothing is written then).
 */
export async function importFile(options: ImportFileOptions): Promise<ImportSummary> {
  const { store, writer, now } = options;
  const path = resolve(options.path);
  const info = await stat(path).catch((error: unknown) => {
    throw new ImportInputError(`cannot read ${options.path}: ${ioReason(error)}`);
  });
  if (!info.isFile()) throw new ImportInputError(`cannot read ${options.path}: not a regular file`);
  const sha256 = await hashFile(path).catch((error: unknown) => {
    throw new ImportInputError(`cannot read ${options.path}: ${ioReason(error)}`);
  });

  const ledger = await findImport(store, sha256);
  if (ledger !== null && ledger.records >= 0) {
    return skipped(
      path,
      isFormat(ledger.format) ? ledger.format : await resolveFormat(path, options.format, options.path),
    );
  }
  const format = await resolveFormat(path, options.format, options.path);
  let resumeAfter = 0;
  if (ledger === null) {
    await beginImport(store, { sha256, path, format, sizeBytes: info.size, now });
  } else {
    resumeAfter = ledger.observations;
    options.onResume?.(resumeAfter);
  }

  // This file's sightings queued in the writer and not yet committed (others may share the writer).
  const queued = new QueuedRows<ObservationRecord>();
  const removeHook = writer.addCommitHook({
    statements(rows) {
      const count = queued.countIn(rows);
      return count === 0 ? [] : [countStored(sha256, count)];
    },
    committed(rows) {
      queued.removeOldest(queued.countIn(rows));
    },
  });
  const tally = new ImportTally();
  const chunkRows = options.chunkRows ?? 500;
  const tagger = FORMAT_SPECS[format].positioned ? undefined : options.tagger;
  let chunk: ObservationRecord[] = [];
  let fixes: GpsFixRecord[] = [];
  const writeChunk = async () => {
    const rows = chunk;
    chunk = [];
    queued.add(rows);
    const accepted = await writer.write(rows).catch((error: unknown) => {
      queued.removeLast(rows);
      throw error;
    });
    if (accepted < rows.length) {
      queued.removeLast(rows);
      throw new Error(`the writer refused sightings (${writer.refusal ?? "closed"}); re-run to resume`);
    }
  };

  /** Takes one event; true when the chunk of sightings is full and must be written. */
  const take = (event: SourceEvent): boolean => {
    if (options.signal?.aborted) throw new Error("import interrupted; re-run to resume");
    if (event.type === "record") {
      tally.records++;
    } else if (event.type === "observation") {
      const observation = tagger ? tagger.tag(event.observation) : event.observation;
      tally.addObservation(observation);
      // Resuming an interrupted import: the stored prefix is counted, not written again.
      if (tally.observations <= resumeAfter) return false;
      chunk.push(observation);
      return chunk.length >= chunkRows;
    } else if (event.type === "fix") {
      tally.addFix(event.fix);
      options.tagger?.addFix(event.fix);
      fixes.push(event.fix);
      if (fixes.length >= chunkRows) {
        writer.writeFixes(fixes);
        fixes = [];
      }
    } else if (event.type === "reject") {
      tally.addReject(event.reason);
    } else if (event.type === "metadata") {
      tally.addMetadata(event.metadata);
    }
    return false;
  };

  try {
    // Undated formats (iw, nmcli, btmgmt, ...) were captured when the tool wrote the file.
    const ctx = { capturedAt: Math.min(info.mtimeMs, now), now };
    if (isStreamed(format) && info.size >= (options.workerMinBytes ?? WORKER_MIN_BYTES)) {
      // A batch at a time: one await per batch of events, not per event, on the import's busiest thread.
      for await (const events of readInWorker(format, path, ctx, options.progress)) {
        for (const event of events) if (take(event)) await writeChunk();
      }
    } else {
      for await (const event of FORMAT_SPECS[format].read(path, ctx, options.progress)) {
        if (take(event)) await writeChunk();
      }
    }
    if (chunk.length > 0) await writeChunk();
    if (fixes.length > 0) writer.writeFixes(fixes);
  } finally {
    // What was queued is committed (and counted by the hook) before the hook goes, even on failure.
    await writer.flush();
    removeHook();
    if (tally.records === 0 && resumeAfter === 0) await forgetImport(store, sha256);
  }
  if (tally.records > 0) {
    await finishImport(store, {
      sha256,
      path,
      format,
      records: tally.records,
      rejected: tally.rejected,
      metadata: tally.metadata,
      now,
    });
  }
  return tally.summary(path, format);
}

async function resolveFormat(
  path: string,
  requested: Format | "auto" | undefined,
  shownAs: string,
): Promise<Format> {
  if (requested !== undefined && requested !== "auto") return requested;
  const detected = await detectFormat(path);
  if (detected === null) {
    throw new ImportInputError(
      `${shownAs}: unrecognised format (not one of ${FORMATS.join(", ")}); name it with --format`,
    );
  }
  return detected;
}

const isFormat = (text: string): text is Format => (FORMATS as readonly string[]).includes(text);

function skipped(path: string, format: Format): ImportSummary {
  return {
    path,
    format,
    records: 0,
    observations: 0,
    wifiNetworks: 0,
    btDevices: 0,
    cells: 0,
    gpsFixes: 0,
    rejected: 0,
    rejectReasons: {},
    skipped: true,
  };
}

function ioReason(error: unknown): string {
  const code = (error as { code?: string }).code;
  if (code === "ENOENT") return "no such file";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "EISDIR") return "is a directory";
  return error instanceof Error ? error.message : String(error);
}
