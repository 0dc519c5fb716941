import { createHash, randomBytes } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { gzipStream } from "./gzip-stream.js";

/** `chunks` pages of 200 kB of hex text (compresses about 2:1, as export pages do), counting pulls. */
function countingSource(chunks: number) {
  let pulled = 0;
  const digest = createHash("sha256");
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        pulled += 1;
        const page = new TextEncoder().encode(randomBytes(100_000).toString("hex"));
        digest.update(page);
        controller.enqueue(page);
        if (pulled === chunks) controller.close();
      },
    },
    { highWaterMark: 1 },
  );
  return { stream, pulled: () => pulled, digest: () => digest.digest("hex") };
}

describe("gzipStream", () => {
  it("reads the source only as fast as the compressed side is read (a stalled reader stalls it)", async () => {
    const source = countingSource(500);
    const reader = gzipStream(source.stream).getReader();
    await reader.read();
    await new Promise((r) => setTimeout(r, 200));
    // CompressionStream would have pulled all 500 pages (100 MB) by now.
    expect(source.pulled()).toBeLessThan(10);
    await reader.cancel();
  });

  it("gives back exactly the bytes in, gzip-framed", async () => {
    const source = countingSource(40);
    const parts: Uint8Array[] = [];
    for await (const part of gzipStream(source.stream)) parts.push(part);
    const plain = gunzipSync(Buffer.concat(parts));
    expect(source.pulled()).toBe(40);
    expect(plain.length).toBe(40 * 200_000);
    expect(createHash("sha256").update(plain).digest("hex")).toBe(source.digest());
  });
});
