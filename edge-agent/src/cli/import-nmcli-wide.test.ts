import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { createClient } from "@libsql/client";
import { afterAll, describe, expect, it } from "vitest";
import { runBuiltCli } from "../test-support/built-cli.js";
import {
  expectedNmcliFields,
  NMCLI_LOCALES,
  type NmcliLocale,
  nmcliWifiList,
  WIDE_SSID_NETWORKS,
} from "../test-support/nmcli-table.js";

/*
 * Wide-character nmcli scans (CJK and emoji SSIDs, translated MODE values and titles) as generated files,
 * imported with `--format auto` through the built CLI into a real database: every row a record, an
 * observation and a network, every field as nmcli wrote it.
 */

const dir = mkdtempSync(join(tmpdir(), "pw-import-nmcli-wide-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const env = { PIWARDRIVE_EDGE_PROFILE: "small" };
const REPO_ROOT = resolve(import.meta.dirname, "../../..");
const run = promisify(execFile);

async function storedFields(db: string) {
  const client = createClient({ url: `file:${db}` });
  try {
    const rs = await client.execute(
      `SELECT mac, ssid, channel, frequency_mhz AS frequencyMhz, rssi_dbm AS rssiDbm, auth_mode AS authMode,
              (SELECT count(*) FROM networks) AS networks
         FROM observations WHERE source = 'nmcli' ORDER BY mac`,
    );
    return rs.rows.map((row) => ({ ...row }));
  } finally {
    client.close();
  }
}

const expectedRows = WIDE_SSID_NETWORKS.map((n) => ({
  ...expectedNmcliFields(n),
  networks: WIDE_SSID_NETWORKS.length,
}));
const expectedSummary = {
  format: "nmcli",
  records: WIDE_SSID_NETWORKS.length,
  observations: WIDE_SSID_NETWORKS.length,
  wifiNetworks: WIDE_SSID_NETWORKS.length,
  rejected: 0,
  skipped: false,
};

describe("piwardrive-edge import --format auto on wide-character nmcli scans", () => {
  for (const [name, locale] of Object.entries(NMCLI_LOCALES) as [string, NmcliLocale][]) {
    it(`detects and imports every row of a ${name} scan`, async () => {
      const file = join(dir, `nmcli-${name}.txt`);
      writeFileSync(file, nmcliWifiList(locale, WIDE_SSID_NETWORKS, name === "ja" ? -1 : 3));
      const db = join(dir, `${name}.db`);
      const cli = runBuiltCli(["import", file, "--format", "auto", "--json", "--db", db], env);
      expect(cli.status, cli.stderr).toBe(0);
      const [summary] = (JSON.parse(cli.stdout) as { files: Record<string, unknown>[] }).files;
      expect(summary).toMatchObject({ path: file, ...expectedSummary });
      expect(await storedFields(db)).toEqual(expectedRows);
    });
  }

  it("does the same through the user's path: npx --no-install piwardrive-edge", async () => {
    const file = join(dir, "nmcli-ja-user.txt");
    writeFileSync(file, nmcliWifiList(NMCLI_LOCALES.ja, WIDE_SSID_NETWORKS));
    const db = join(dir, "user.db");
    const { stdout } = await run(
      "npx",
      ["--no-install", "piwardrive-edge", "import", file, "--format", "auto", "--json", "--db", db],
      { cwd: REPO_ROOT, timeout: 60_000, env: { ...process.env, ...env, CI: "true" } },
    );
    const [summary] = (JSON.parse(stdout) as { files: Record<string, unknown>[] }).files;
    expect(summary).toMatchObject({ path: file, ...expectedSummary });
    expect(await storedFields(db)).toEqual(expectedRows);
  });
});
