import { basename } from "node:path";
import { SingleBar } from "cli-progress";
import type { ReadProgress } from "../sources/files/file-input.js";

/** Files smaller than this import in well under a second: no bar for them. */
export const PROGRESS_MIN_BYTES = 1024 * 1024;

export interface ImportProgress {
  /** Shows a bar for this file (when the output is a terminal and the file is large) until done(). */
  start(path: string, totalBytes: number, progress: ReadProgress): void;
  done(): void;
}

const NO_PROGRESS: ImportProgress = { start() {}, done() {} };

/**
 * A bytes-read progress bar on a terminal (stderr, so `--json` on stdout stays one object). Readers are
 * polled, not called back, so the import loop pays nothing for it. Anything but a TTY gets no bar.
 */
export function importProgress(
  stream: NodeJS.WritableStream & { isTTY?: boolean },
  options: { minBytes?: number; intervalMs?: number } = {},
): ImportProgress {
  if (!stream.isTTY) return NO_PROGRESS;
  const minBytes = options.minBytes ?? PROGRESS_MIN_BYTES;
  let bar: SingleBar | null = null;
  let timer: NodeJS.Timeout | null = null;
  let total = 0;
  const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
  return {
    start(path, totalBytes, progress) {
      if (totalBytes < minBytes) return;
      total = totalBytes;
      bar = new SingleBar({
        stream,
        format: "{file} [{bar}] {percentage}% | {read}/{size} MiB | {duration_formatted}",
        barsize: 30,
        hideCursor: true,
      });
      bar.start(totalBytes, 0, { file: basename(path), read: mib(0), size: mib(totalBytes) });
      const current = bar;
      timer = setInterval(() => {
        const read = Math.min(progress.bytesRead, totalBytes);
        current.update(read, { read: mib(read) });
      }, options.intervalMs ?? 200);
      timer.unref();
    },
    done() {
      if (timer) clearInterval(timer);
      timer = null;
      bar?.update(total, { read: mib(total) });
      bar?.stop();
      bar = null;
    },
  };
}
