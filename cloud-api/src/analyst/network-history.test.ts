import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { networkSearchResponseSchema } from "../routes/analyst/schema.js";
import { createApiKey } from "../services/api-keys.js";
import { pruneNetworkHistory } from "../services/network-history.js";
import { FLEET_T0, fleetSighting, prng } from "../test-support/fleet-fixture.js";
import { landAndMerge } from "../test-support/merged-batches.js";
import { openTestCloud, type TestCloud } from "../test-support/test-cloud.js";
import { CURSOR_LIFETIME_MS } from "./network-search.js";

/*
 * The as-of history behind search cursors (decisions 0012 and 0022): written only while a cursor could
 * need it, pruned after the cursor lifetime, and an older cursor is refused with 400 cursor_expired.
 */

const HOUR = 3_600_000;
let cloud: TestCloud;
let auth: string;
let seq = 1;
let batchSeq = 0;
const random = prng(11);

async function drive(ids: number[], mergedAt: number): Promise<void> {
  const rows = ids.map((i, k) => fleetSighting(seq++, i, FLEET_T0 + seq * 1000 + k, random));
  await landAndMerge(cloud.db, { deviceId: "dev-h", batchSeq: batchSeq++ }, rows, mergedAt);
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const historyRows = async () =>
  Number((await cloud.db.execute("SELECT count(*) AS n FROM network_history")).rows[0]?.n);

async function page(query: string) {
  const res = await cloud.app.request(`/v1/networks?${query}`, { headers: { authorization: auth } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

beforeEach(async () => {
  cloud = await openTestCloud();
  auth = `Bearer ${(await createApiKey(cloud.db, { role: "analyst" })).key}`;
});
afterEach(() => cloud.cleanup());

describe("network_history", () => {
  it("is written only once a cursor is pinned, and then keeps every walk exact", async () => {
    await drive(range(10), FLEET_T0 + HOUR);
    await drive(range(5), FLEET_T0 + 2 * HOUR);
    expect(await historyRows()).toBe(0);

    const first = await page("limit=3&sort=lastSeen");
    expect(first.status).toBe(200);
    const seenBefore = new Map<string, number>();
    const all = await page("limit=1000&sort=lastSeen");
    for (const n of networkSearchResponseSchema.parse(all.body).networks) {
      seenBefore.set(n.mac, n.observationCount);
    }
    await drive([0, 1, 2, 3, 4, 20, 21], FLEET_T0 + 3 * HOUR);
    // The five networks changed again were last changed at or before the pinned generation.
    expect(await historyRows()).toBe(5);

    const walked = new Map<string, number>();
    let body = networkSearchResponseSchema.parse(first.body);
    for (;;) {
      for (const n of body.networks) walked.set(n.mac, n.observationCount);
      if (body.nextCursor === null) break;
      body = networkSearchResponseSchema.parse(
        (await page(`limit=3&sort=lastSeen&cursor=${body.nextCursor}`)).body,
      );
    }
    expect(walked).toEqual(seenBefore);
    expect(walked.size).toBe(10);
  });

  it("prunes rows superseded before the cursor lifetime, and refuses older cursors", async () => {
    const t0 = FLEET_T0 + HOUR;
    await drive(range(6), t0);
    expect((await page("limit=2")).status).toBe(200); // pins generation 1
    await drive(range(6), t0 + HOUR); // keeps 6 rows, superseded at t0 + 1 h
    expect((await page("limit=2")).status).toBe(200); // pins generation 2
    await drive(range(3), t0 + 30 * HOUR); // keeps 3 rows, superseded at t0 + 30 h
    expect(await historyRows()).toBe(9);

    // At t0 + 26 h the rows of t0 + 1 h are older than the lifetime (24 h, plus a minute of margin).
    expect(await pruneNetworkHistory(cloud.db, t0 + 26 * HOUR)).toBe(6);
    expect(await historyRows()).toBe(3);
    expect(await pruneNetworkHistory(cloud.db, t0 + 26 * HOUR)).toBe(0);
    expect(await pruneNetworkHistory(cloud.db, t0 + 60 * HOUR)).toBe(3);

    const fresh = networkSearchResponseSchema.parse((await page("limit=2")).body);
    expect(fresh.nextCursor).not.toBeNull();
    const decoded = JSON.parse(Buffer.from(fresh.nextCursor ?? "", "base64url").toString("utf8"));
    expect(decoded.t).toBeGreaterThan(Date.now() - 60_000);
    expect((await page(`limit=2&cursor=${fresh.nextCursor}`)).status).toBe(200);

    const old = Buffer.from(
      JSON.stringify({ ...decoded, t: Date.now() - CURSOR_LIFETIME_MS - 1000 }),
    ).toString("base64url");
    const refused = await page(`limit=2&cursor=${old}`);
    expect(refused.status).toBe(400);
    const error = refused.body.error as { code: string; message: string };
    expect(error.code).toBe("cursor_expired");
    expect(error.message).toMatch(/cursor.*start again without a cursor/);
  });
});
