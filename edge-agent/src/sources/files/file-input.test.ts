import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { linesOfText, ReadProgress, streamChunks, streamLines } from "./file-input.js";

const dir = mkdtempSync(join(tmpdir(), "pw-file-input-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
function fileWith(content: string | Buffer): string {
  const path = join(dir, `f${files++}.txt`);
  writeFileSync(path, content);
  return path;
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** Text of many lines around the 64 KB read size, with CRLF, lone CR and multi-byte characters. */
const texts = fc
  .array(
    fc.tuple(
      fc.oneof(
        fc.string({ maxLength: 40, unit: "grapheme" }),
        fc.constantFrom("", "\r", "é", "😀", "x".repeat(70_000), "ü".repeat(40_000)),
      ),
      fc.constantFrom("\n", "\r\n", "\r", ""),
    ),
    { maxLength: 60 },
  )
  .map((parts) => parts.map(([line, end]) => line + end).join(""));

describe("streamLines", () => {
  it("splits a file as readline does (the in-memory splitter is the reference)", async () => {
    await fc.assert(
      fc.asyncProperty(texts, async (text) => {
        expect(await collect(streamLines(fileWith(text)))).toEqual(await collect(linesOfText(text)));
      }),
      { numRuns: 60 },
    );
  });

  it("keeps a multi-byte character that straddles two reads whole, and reports the bytes read", async () => {
    // 65,535 ASCII bytes, then a 4-byte emoji across the 65,536-byte read boundary.
    const text = `${"a".repeat(65_535)}😀\nnext`;
    const progress = new ReadProgress();
    const lines = await collect(streamLines(fileWith(text), progress));
    expect(lines).toEqual([`${"a".repeat(65_535)}😀`, "next"]);
    expect(progress.bytesRead).toBe(Buffer.byteLength(text));
  });

  it("keeps a byte-order mark and replaces invalid UTF-8, as a read stream did", async () => {
    const bytes = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from("a\n"),
      Buffer.from([0xff, 0x0a]),
    ]);
    expect(await collect(streamLines(fileWith(bytes)))).toEqual(["\uFEFFa", "\uFFFD"]);
    expect((await collect(streamChunks(fileWith(bytes)))).join("")).toBe("\uFEFFa\n\uFFFD\n");
  });

  it("yields nothing for an empty file and throws for a missing one", async () => {
    expect(await collect(streamLines(fileWith("")))).toEqual([]);
    await expect(collect(streamLines(join(dir, "missing.txt")))).rejects.toThrow(/ENOENT/);
  });
});
