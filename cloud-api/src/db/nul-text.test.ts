import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../services/api-keys.js";
import { createDevice } from "../services/devices.js";
import { mergeBatch } from "../services/merge-batch.js";
import { makeBatch, postBatch, sighting } from "../test-support/batches.js";
import { openTestCloud, type TestCloud } from "../test-support/test-cloud.js";

/*
 * An SSID is any 0-32 bytes a radio sends, NUL included. SQLite stores `a\0b` whole (the JSON stage and the
 * bindings keep it), but the libsql client reads TEXT as a C string and returns "a". These go through the
 * real ingest route and merge and check the stored bytes and every way the value comes back out.
 */

const NUL_SSID = "a\u0000b";
const MAC = "a0:00:00:00:00:01";
let cloud: TestCloud;
let analyst: string;

beforeAll(async () => {
  cloud = await openTestCloud();
  analyst = `Bearer ${(await createApiKey(cloud.db, { role: "analyst" })).key}`;
  const device = await createDevice(cloud.db, { name: "pi-nul" });
  const rows = [
    sighting(1, MAC, { ssid: "before", authMode: "WPA2", channel: 6, rssiDbm: -50, lat: 1, lon: 2 }),
    sighting(2, MAC, { ssid: NUL_SSID, authMode: "WPA2", channel: 6, rssiDbm: -50, lat: 1, lon: 2 }),
  ];
  for (const [i, row] of rows.entries()) {
    const batch = makeBatch({ deviceId: device.id, batchSeq: i }, [row]);
    expect((await postBatch(cloud.app, device.token, batch)).status).toBe(202);
    await mergeBatch({ db: cloud.db, key: { deviceId: device.id, runId: batch.runId, batchSeq: i } });
  }
});
afterAll(() => cloud.cleanup());

const get = async (path: string) => {
  const res = await cloud.app.request(path, { headers: { authorization: analyst } });
  expect(res.status, path).toBe(200);
  return res;
};

describe("an SSID with a NUL byte", () => {
  it("is stored whole by the ingest route and the merge (the JSON stage keeps it)", async () => {
    const rs = await cloud.db.execute("SELECT hex(ssid) AS h FROM observations WHERE seq = 2");
    expect(rs.rows[0]?.h).toBe("610062");
    const net = await cloud.db.execute("SELECT hex(ssid) AS h FROM networks");
    expect(net.rows[0]?.h).toBe("610062");
  });

  it("comes back exact from search, detail, SSID history, observations and alerts", async () => {
    const search = (await (await get("/v1/networks")).json()) as { networks: { ssid: string }[] };
    expect(search.networks[0]?.ssid).toBe(NUL_SSID);
    const detail = (await (await get(`/v1/networks/${MAC}`)).json()) as {
      network: { ssid: string };
      ssidHistory: { ssid: string }[];
      alerts: { type: string; ssid: string; evidence: { seen: string } }[];
    };
    expect(detail.network.ssid).toBe(NUL_SSID);
    expect(detail.ssidHistory.map((h) => h.ssid).sort()).toEqual(["before", NUL_SSID].sort());
    expect(detail.alerts).toMatchObject([
      { type: "ssid_change", ssid: NUL_SSID, evidence: { seen: NUL_SSID } },
    ]);
    const sightings = (await (await get(`/v1/networks/${MAC}/observations`)).json()) as {
      observations: { ssid: string }[];
    };
    expect(sightings.observations.map((o) => o.ssid).sort()).toEqual(["before", NUL_SSID].sort());
    const alerts = (await (await get("/v1/alerts")).json()) as { alerts: { ssid: string }[] };
    expect(alerts.alerts.map((a) => a.ssid)).toEqual([NUL_SSID]);
  });

  it("comes back exact in the WiGLE, CSV and GeoJSON exports, and visible (never cut) in KML", async () => {
    const wigle = await (await get("/v1/export?format=wigle")).text();
    expect(wigle).toContain(`,${NUL_SSID},`);
    const geojson = JSON.parse(await (await get("/v1/export?format=geojson&what=networks")).text()) as {
      features: { properties: { ssid: string } }[];
    };
    expect(geojson.features.map((f) => f.properties.ssid)).toEqual([NUL_SSID]);
    const kml = await (await get("/v1/export?format=kml&what=networks")).text();
    expect(kml).toContain("a[U+0000]b");
    // a NUL cannot start a formula: the spreadsheet cell keeps it as it is
    const csv = await (await get("/v1/export?format=csv")).text();
    expect(csv).toContain(`,${NUL_SSID},`);
  });
});
