import { gunzipSync } from "node:zlib";
import { encodeDeltaBatch } from "@piwardrive/shared-schema/wire";
import { SaxesParser } from "saxes";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createApiKey } from "../../services/api-keys.js";
import { landBatch } from "../../services/land-batch.js";
import { mergeBatch } from "../../services/merge-batch.js";
import { makeBatch, sighting, T0 } from "../../test-support/batches.js";
import { expectError } from "../../test-support/expect-error.js";
import { openTestCloud, type TestCloud } from "../../test-support/test-cloud.js";
import { acceptsGzip } from "./export.js";

const EVIL = '=cmd|"/C calc"!A0, <b>]]>\u0007\u202Eexe';
const ROWS = [
  sighting(1, "aa:aa:aa:aa:aa:01", { ssid: EVIL, authMode: "WPA2", rssiDbm: -50, lat: -33.5, lon: 151.25 }),
  sighting(2, "aa:aa:aa:aa:aa:01", { ssid: EVIL, authMode: "WPA2", rssiDbm: -60, lat: -33.6, lon: 151.3 }),
  sighting(3, "aa:aa:aa:aa:aa:02", { ssid: "Plain", capabilities: "[WPA2-PSK-CCMP][ESS]", rssiDbm: -70 }),
  sighting(4, "aa:aa:aa:aa:aa:03", { ssid: null, kind: "ble", rssiDbm: -80, lat: 10, lon: 20 }),
];

let cloud: TestCloud;
let analyst: string;
beforeEach(async () => {
  cloud = await openTestCloud();
  analyst = (await createApiKey(cloud.db, { role: "analyst" })).key;
  const batch = makeBatch({ deviceId: "dev-a" }, ROWS);
  const encoded = await encodeDeltaBatch(batch);
  await landBatch(cloud.db, { batch, payload: encoded.body, contentEncoding: "gzip", receivedAt: T0 });
  await mergeBatch({ db: cloud.db, key: { deviceId: "dev-a", runId: batch.runId, batchSeq: 0 } });
});
afterEach(() => cloud.cleanup());

const get = (query: string, headers: Record<string, string> = {}) =>
  cloud.app.request(`/v1/export?${query}`, { headers: { authorization: `Bearer ${analyst}`, ...headers } });

function xmlNames(text: string): string[] {
  const names: string[] = [];
  let inName = false;
  const parser = new SaxesParser();
  parser.on("opentag", (t) => {
    inName = t.name === "name";
  });
  parser.on("closetag", () => {
    inName = false;
  });
  parser.on("text", (t) => {
    if (inName) names.push(t);
  });
  parser.write(text).close();
  return names;
}

describe("GET /v1/export", () => {
  it("writes WiGLE CSV 1.6: pre-header, the 14 columns, one line per sighting, SSID exactly as seen", async () => {
    const res = await get("format=wigle");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toMatch(
      /^attachment; filename="piwardrive-observations-\d{8}T\d{6}Z\.wiglecsv\.csv"$/,
    );
    const lines = (await res.text()).split("\n");
    expect(lines[0]).toMatch(/^WigleWifi-1\.6,appRelease=/);
    expect(lines[1]).toBe(
      "MAC,SSID,AuthMode,FirstSeen,Channel,Frequency,RSSI,CurrentLatitude,CurrentLongitude,AltitudeMeters,AccuracyMeters,RCOIs,MfgrId,Type",
    );
    expect(lines.slice(2, -1)).toHaveLength(4);
    expect(lines[2]).toBe(
      `aa:aa:aa:aa:aa:01,"${EVIL.replaceAll('"', '""')}",[WPA2],${new Date(T0 + 1000).toISOString().slice(0, 19).replace("T", " ")},,,-50,-33.5,151.25,,,,,WIFI`,
    );
    expect(lines[4]).toContain(",Plain,[WPA2-PSK-CCMP][ESS],");
    expect(lines[5]).toMatch(/,BLE$/);
  });

  it("neutralises formulas in the spreadsheet CSV, with a BOM, and keeps numbers as numbers", async () => {
    const bytes = Buffer.from(await (await get("format=csv&what=networks")).arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString("utf8");
    expect(text.startsWith("\uFEFFmac,kind,ssid,")).toBe(true);
    const evilRow = text.split("\n").find((l) => l.startsWith("aa:aa:aa:aa:aa:01")) ?? "";
    expect(evilRow).toContain(`"'=cmd|""/C calc""!A0, <b>]]>\u0007[U+202E]exe"`);
    expect(evilRow).toContain(",-50,");
  });

  it("writes KML a strict XML parser reads, each network at its estimate or its strongest sighting", async () => {
    const text = await (await get("format=kml&what=networks")).text();
    expect(xmlNames(text)).toEqual([
      "PiWardrive export",
      '=cmd|"/C calc"!A0, <b>]]>[U+0007][U+202E]exe',
      "Plain",
      "aa:aa:aa:aa:aa:03",
    ]);
    expect(text).toMatch(/<coordinates>151\.2\d+,-33\.5\d+<\/coordinates>/);
    const strongest = await (await get("format=kml&what=networks&placement=strongest")).text();
    expect(strongest).toContain("<coordinates>151.25,-33.5</coordinates>");
  });

  it("writes RFC 7946 GeoJSON: [lon, lat], null geometry without a position, SSIDs intact", async () => {
    const res = await get("format=geojson");
    expect(res.headers.get("content-type")).toBe("application/geo+json");
    const doc = JSON.parse(await res.text());
    expect(doc.type).toBe("FeatureCollection");
    expect(doc.features).toHaveLength(4);
    expect(doc.features[0].geometry).toEqual({ type: "Point", coordinates: [151.25, -33.5] });
    expect(doc.features[0].properties.ssid).toBe(EVIL);
    expect(doc.features[2].geometry).toBeNull();
  });

  it("filters with the analyst parameters", async () => {
    const count = async (q: string) => (await (await get(`format=wigle&${q}`)).text()).split("\n").length - 3;
    expect(await count("mac=AA:AA:AA:AA:AA:01")).toBe(2);
    expect(await count("kind=ble")).toBe(1);
    expect(await count("bbox=151,-34,152,-33")).toBe(2);
    expect(await count(`since=${T0 + 2500}`)).toBe(2);
    expect(await count(`until=${new Date(T0 + 2500).toISOString()}`)).toBe(2);
    expect(await count(`until=${T0 + 2000}`)).toBe(2); // inclusive, as in GET /v1/observations
    expect(await count("device=dev-b")).toBe(0);
  });

  it("gzips when the client accepts it", async () => {
    const res = await get("format=geojson", { "accept-encoding": "br, gzip" });
    expect(res.headers.get("content-encoding")).toBe("gzip");
    const doc = JSON.parse(gunzipSync(Buffer.from(await res.arrayBuffer())).toString("utf8"));
    expect(doc.features).toHaveLength(4);
    expect(acceptsGzip("gzip;q=0")).toBe(false);
    expect(acceptsGzip("deflate")).toBe(false);
  });

  it("refuses each kind of bad parameter with 400 naming it", async () => {
    const cases: [string, string][] = [
      ["format=xls", "format"],
      ["", "format"],
      ["format=csv&what=cats", "what"],
      ["format=csv&colour=red", "colour"],
      ["format=csv&what=observations&ssid=x", "ssid"],
      ["format=csv&bbox=1,2,3", "bbox"],
      ["format=csv&bbox=10,0,5,1", "bbox"],
      ["format=csv&since=yesterday", "since"],
      [`format=csv&since=${T0 + 10}&until=${T0}`, "until"],
      ["format=csv&mac=%3Cscript%3E", "mac"],
      ["format=kml&placement=moon", "placement"],
    ];
    for (const [query, name] of cases) {
      const res = await get(query);
      expect(res.status, query).toBe(400);
      const error = await expectError(res, 400, "invalid_argument");
      expect(error.message, query).toMatch(new RegExp(`^parameter "${name}"`));
    }
  });

  it("needs an analyst key", async () => {
    await expectError(await cloud.app.request("/v1/export?format=csv"), 401, "unauthorized");
  });
});
