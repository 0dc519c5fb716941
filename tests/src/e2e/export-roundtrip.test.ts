import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { createClient } from "@libsql/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CloudHarness } from "./harness/cloud.js";
import { EdgeHarness } from "./harness/edge.js";
import { fixture, REPO_ROOT } from "./harness/paths.js";
import { killAllChildren } from "./harness/processes.js";

const run = promisify(execFile);
const DRIVES = [
  fixture("wigle-csv/bruce-m5stack-cardputer_wifi+ble_1.6.csv"),
  fixture("wigle-csv/wigle-android-2.25_xiaomi-mi6_small_1.4.csv"),
];

/** What WiGLE CSV carries of a sighting: time to the second, the rest as stored. */
const SIGHTING = `SELECT mac, kind, (seen_at / 1000) * 1000 AS seen_s, rssi_dbm, lat, lon, channel, ssid FROM observations
  ORDER BY mac, seen_s, rssi_dbm, lat, lon`;

describe("a WiGLE CSV export read back by the edge importer", () => {
  const cloud = new CloudHarness();
  let edge: EdgeHarness;

  beforeAll(async () => {
    await cloud.init();
    edge = new EdgeHarness(await cloud.addDevice());
    await cloud.startApi();
    await cloud.startWorker();
    await edge.import(...DRIVES);
    expect((await edge.syncOnce(cloud)).code).toBe(0);
    await cloud.waitMerged();
  });

  afterAll(async () => {
    await killAllChildren();
    await cloud.cleanup();
    edge?.cleanup();
  });

  it("gives back the same sightings: mac, time to the second, RSSI, position, type", async () => {
    const res = await fetch(`${cloud.url}/v1/export?format=wigle`, {
      headers: { authorization: `Bearer ${cloud.analystKey}` },
    });
    expect(res.status).toBe(200);
    const file = join(edge.dir, "export.wiglecsv.csv");
    writeFileSync(file, Buffer.from(await res.arrayBuffer()));

    // as a user would: the documented bin, through npx, never the registry
    const readBack = join(edge.dir, "read-back.db");
    const imported = await run(
      "npx",
      ["--no-install", "piwardrive-edge", "import", "--db", readBack, "--json", file],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, CI: "true" },
      },
    );
    const tally = JSON.parse(imported.stdout);
    const cloudRows = (await cloud.db.execute(SIGHTING)).rows;
    expect(cloudRows.length).toBeGreaterThan(20);
    expect(JSON.stringify(tally)).toContain(`${cloudRows.length}`);

    const back = createClient({ url: `file:${readBack}` });
    try {
      const backRows = (await back.execute(SIGHTING)).rows;
      expect(backRows.map((r) => ({ ...r }))).toEqual(cloudRows.map((r) => ({ ...r })));
    } finally {
      back.close();
    }
  });

  it("piwardrive-cloud export writes the same file as the API, and refuses a bad filter naming it", async () => {
    const api = await fetch(`${cloud.url}/v1/export?format=kml&what=networks&kind=wifi`, {
      headers: { authorization: `Bearer ${cloud.analystKey}` },
    });
    const cli = await run(
      "npx",
      [
        "--no-install",
        "piwardrive-cloud",
        "export",
        "--format",
        "kml",
        "--what",
        "networks",
        "--kind",
        "wifi",
      ].concat(["--db", cloud.dbPath]),
      { cwd: REPO_ROOT, env: { ...process.env, CI: "true" }, maxBuffer: 64 * 1024 * 1024 },
    );
    const kml = await api.text();
    expect(kml).toContain("<Placemark>");
    expect(cli.stdout).toBe(kml);

    const bad = run(
      "npx",
      ["--no-install", "piwardrive-cloud", "export", "--format", "csv", "--bbox", "1,2"],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, CI: "true" },
      },
    );
    await expect(bad).rejects.toMatchObject({ stderr: expect.stringMatching(/bbox/) });
  });

  it("piwardrive-cloud export with the search filters as flags writes what the API writes", async () => {
    const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    const get = async (query: string) => {
      const res = await fetch(`${cloud.url}/v1/export?${query}`, {
        headers: { authorization: `Bearer ${cloud.analystKey}` },
      });
      expect(res.status, query).toBe(200);
      // bytes as sent (res.text() would drop the CSV's BOM)
      return Buffer.from(await res.arrayBuffer()).toString("utf8");
    };
    for (const [base, filters] of [
      ["format=csv&what=networks", "kind=wifi&band=2.4&minRssi=-85&until=2026-08-09T00:00:00Z"],
      ["format=geojson&what=networks", "ssidPrefix=Te&minConfidence=0&auth=wpa2,wpa2/wpa3"],
      ["format=wigle&what=observations", "kind=ble&since=2026-08-08T00:00:00Z&bbox=151,-34,152,-33"],
    ] as const) {
      const api = await get(`${base}&${filters}`);
      const everything = await get(base);
      // The filter keeps some rows and drops others.
      expect(api.split("\n").length, filters).toBeGreaterThan(4);
      expect(api.length, filters).toBeLessThan(everything.length);
      const flags = `${base}&${filters}`.split("&").flatMap((pair) => {
        const [name = "", value = ""] = pair.split("=");
        return [`--${kebab(name)}`, value];
      });
      const cli = await run(
        "npx",
        ["--no-install", "piwardrive-cloud", "export", ...flags, "--db", cloud.dbPath],
        {
          cwd: REPO_ROOT,
          env: { ...process.env, CI: "true" },
          maxBuffer: 64 * 1024 * 1024,
        },
      );
      expect(cli.stdout, filters).toBe(api);
    }
  });
});
