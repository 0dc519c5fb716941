import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { ReadProgress, streamLines } from "../sources/files/file-input.js";
import { importProgress } from "./import-progress.js";

const dir = mkdtempSync(join(tmpdir(), "pw-progress-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A terminal-like stream: cli-progress draws with cursor escapes on anything that says it is a TTY. */
function terminal(isTTY: boolean) {
  const stream = Object.assign(new PassThrough(), { isTTY, columns: 120 });
  let written = "";
  stream.on("data", (chunk: Buffer) => {
    written += chunk.toString("utf8");
  });
  return { stream, written: () => written };
}

describe("importProgress", () => {
  const path = join(dir, "big.csv");
  // Short lines: readline reads only about a thousand lines ahead, so bytesRead follows the consumer.
  writeFileSync(path, "x".repeat(49).concat("\n").repeat(100_000));
  const size = 50 * 100_000;

  it("draws a bytes-read bar on a terminal, driven by the reader's stream", async () => {
    const tty = terminal(true);
    const bar = importProgress(tty.stream, { minBytes: 1000, intervalMs: 5 });
    const read = new ReadProgress();
    bar.start(path, size, read);
    let lines = 0;
    for await (const _ of streamLines(path, read)) {
      if (++lines % 2500 === 0) await new Promise((r) => setTimeout(r, 15));
    }
    expect(read.bytesRead).toBe(size);
    bar.done();
    expect(lines).toBe(100_000);
    const out = tty.written();
    expect(out).toContain("big.csv [");
    expect(out).toContain("100% | 4.8/4.8 MiB");
    // Intermediate states were drawn while reading, not just the end.
    expect(out).toMatch(/\b([1-9]\d?)% \| \d\.\d\/4\.8 MiB/);
  });

  it("stays silent when the output is not a terminal, or the file is small", () => {
    const pipe = terminal(false);
    const quiet = importProgress(pipe.stream, { minBytes: 1000 });
    quiet.start(path, size, new ReadProgress());
    quiet.done();
    const tty = terminal(true);
    const small = importProgress(tty.stream, { minBytes: size + 1 });
    small.start(path, size, new ReadProgress());
    small.done();
    expect([pipe.written(), tty.written()]).toEqual(["", ""]);
  });
});
