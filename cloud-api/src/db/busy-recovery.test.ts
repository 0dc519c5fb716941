import { type Client, createClient } from "@libsql/client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openTempDb } from "../test-support/test-cloud.js";
import { expectedPragmas, readPragmas } from "./cloud-db.js";

const insertKey = (id: string) =>
  `INSERT INTO api_keys (id, role, key_hash, created_at) VALUES ('${id}', 'analyst', '${id}', 1)`;

let temp: Awaited<ReturnType<typeof openTempDb>>;
let other: Client;
beforeEach(async () => {
  temp = await openTempDb(50);
  other = createClient({ url: `file:${temp.path}` });
});
afterEach(() => {
  other.close();
  temp.cleanup();
});

/** Makes `run` meet SQLITE_BUSY: another connection holds the write lock meanwhile. */
async function whileLocked(run: () => Promise<unknown>): Promise<unknown> {
  const lock = await other.transaction("write");
  await lock.execute("UPDATE devices SET name = name");
  try {
    return await run().then(
      () => undefined,
      (e: unknown) => e,
    );
  } finally {
    await lock.rollback();
  }
}

const visibleKeys = async () =>
  (await other.execute("SELECT id FROM api_keys ORDER BY id")).rows.map((r) => r.id);

describe("the single connection after SQLITE_BUSY", () => {
  it("is broken in the bare driver: the next write reports success but never commits", async () => {
    const bare = createClient({ url: `file:${temp.path}`, concurrency: 1, timeout: 50 });
    try {
      const error = await whileLocked(() => bare.batch([insertKey("x")], "write"));
      expect(error).toMatchObject({ code: "SQLITE_BUSY" });
      await bare.execute(insertKey("lost")); // resolves...
      expect(await visibleKeys()).toEqual([]); // ...but nothing was committed
    } finally {
      bare.close();
    }
  });

  it("is reopened and re-tuned by openCloudDb's client, so later writes commit", async () => {
    const error = await whileLocked(() => temp.db.batch([insertKey("x")], "write"));
    expect(error).toMatchObject({ code: "SQLITE_BUSY" });
    await temp.db.execute(insertKey("a"));
    await temp.db.batch([insertKey("b")], "write");
    expect(await visibleKeys()).toEqual(["a", "b"]);
    expect(await readPragmas(temp.db)).toMatchObject(expectedPragmas(50));
  });
});

describe("openCloudDb", () => {
  it("tunes the connection: WAL, synchronous NORMAL, the busy timeout, temp tables in memory", async () => {
    expect(await readPragmas(temp.db)).toMatchObject(expectedPragmas(50));
  });
});
