import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createClient } from "@libsql/client";
import { afterAll, describe, expect, it } from "vitest";
import { migrateCloud, migrateEdge, migrationsFolders } from "./index.js";

const dir = mkdtempSync(join(tmpdir(), "pw-migrate-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function tableNames(url: string): Promise<string[]> {
  const client = createClient({ url });
  try {
    const rs = await client.execute(
      "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    );
    return rs.rows.map((r) => String(r.name));
  } finally {
    client.close();
  }
}

describe("migrations", () => {
  it("migrates an empty edge database, twice without harm", async () => {
    const url = `file:${join(dir, "edge.db")}`;
    const client = createClient({ url });
    await migrateEdge(client);
    await migrateEdge(client);
    client.close();
    expect(await tableNames(url)).toEqual([
      "__drizzle_migrations",
      "gps_fixes",
      "health_samples",
      "imported_files",
      "networks",
      "observations",
      "slow_queries",
      "sync_batches",
      "sync_state",
    ]);
  });

  it("migrates an empty cloud database", async () => {
    const url = `file:${join(dir, "cloud.db")}`;
    const client = createClient({ url });
    await migrateCloud(client);
    client.close();
    expect(await tableNames(url)).toEqual([
      "__drizzle_migrations",
      "api_keys",
      "devices",
      "landed_batches",
      "network_devices",
      "networks",
      "observations",
    ]);
  });

  // drizzle-kit compares the schema with the last snapshot; if they differ it writes a new SQL file.
  it.each(["edge", "cloud"] as const)("has no drift between the %s schema and the committed SQL", (side) => {
    const packageDir = resolve(import.meta.dirname, "..");
    // drizzle-kit only accepts an `out` relative to the config, so the copy lives inside the package.
    const outName = `.drift-${side}-${process.pid}`;
    const out = join(packageDir, outName);
    cpSync(migrationsFolders[side], out, { recursive: true });
    const before = readdirSync(out).sort();
    const config = join(packageDir, `drizzle.drift-${side}.config.ts`);
    writeFileSync(
      config,
      `export default { dialect: "sqlite", schema: "../shared-schema/src/${side}/*.ts", out: "./${outName}" };\n`,
    );
    try {
      const run = spawnSync("npx", ["drizzle-kit", "generate", "--config", config], {
        cwd: packageDir,
        encoding: "utf8",
      });
      expect(run.status).toBe(0);
      expect(run.stdout + run.stderr).toMatch(/No schema changes/);
      expect(readdirSync(out).sort()).toEqual(before);
    } finally {
      rmSync(config, { force: true });
      rmSync(out, { recursive: true, force: true });
    }
  });
});
