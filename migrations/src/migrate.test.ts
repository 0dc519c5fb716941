import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createClient } from "@libsql/client";
import * as cloudSchema from "@piwardrive/shared-schema/cloud";
import { getTableName, is } from "drizzle-orm";
import { migrate } from "drizzle-orm/libsql/migrator";
import { drizzle } from "drizzle-orm/libsql/sqlite3";
import { SQLiteTable } from "drizzle-orm/sqlite-core";
import Database from "libsql";
import { afterAll, describe, expect, it } from "vitest";
import { migrateCloud, migrateEdge, migrateEdgeConnection, migrationsFolders } from "./index.js";

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

  /** SQL text with layout whitespace collapsed (the bookkeeping table's DDL is laid out differently). */
  const layoutFree = (sql: unknown) =>
    typeof sql === "string" ? sql.replace(/\s+/g, " ").replace(/\( /g, "(").replace(/ \)/g, ")") : sql;

  /** The schema and the migration bookkeeping of a database file, to compare two migrators' work. */
  async function snapshot(url: string): Promise<{ schema: unknown[]; applied: unknown[] }> {
    const client = createClient({ url });
    try {
      const schema = await client.execute("SELECT type, name, sql FROM sqlite_master ORDER BY type, name");
      const applied = await client.execute(
        'SELECT hash, created_at FROM "__drizzle_migrations" ORDER BY created_at',
      );
      return {
        schema: schema.rows.map((r) => ({ ...r, sql: layoutFree(r.sql) })),
        applied: applied.rows.map((r) => ({ ...r })),
      };
    } finally {
      client.close();
    }
  }

  /** libsql's synchronous Database as the edge store drives it, through the SyncSqlConnection interface. */
  function syncConnection(path: string) {
    const db = new Database(path);
    return {
      db,
      connection: {
        execute: ({ sql, args }: { sql: string; args?: (string | number)[] }) => {
          const statement = db.prepare(sql);
          if (!statement.reader) {
            statement.run(args ?? []);
            return { rows: [] };
          }
          return { rows: statement.raw(true).all(args ?? []) as unknown[][] };
        },
        executeScript: (sql: string) => void db.exec(sql),
      },
    };
  }

  it("applies the edge migrations on the store's own connection exactly as drizzle's migrator does", async () => {
    const viaDrizzle = join(dir, "edge-drizzle.db");
    const client = createClient({ url: `file:${viaDrizzle}` });
    await migrateEdge(client);
    client.close();

    const viaConnection = join(dir, "edge-connection.db");
    const { db, connection } = syncConnection(viaConnection);
    migrateEdgeConnection(connection);
    migrateEdgeConnection(connection); // nothing left to apply the second time
    db.close();

    const expected = await snapshot(`file:${viaDrizzle}`);
    expect(expected.applied.length).toBeGreaterThan(0);
    expect(await snapshot(`file:${viaConnection}`)).toEqual(expected);

    // Each carries on from the other: drizzle finds nothing to do on the connection's database.
    const again = createClient({ url: `file:${viaConnection}` });
    await migrateEdge(again);
    again.close();
    expect(await snapshot(`file:${viaConnection}`)).toEqual(expected);
  });

  it("upgrades a store from before 0002: mean-RSSI sums filled from the stored sightings, mac index gone", async () => {
    // The committed migrations up to 0001, as an agent of that time had applied them.
    const oldFolder = join(dir, "edge-0001");
    cpSync(migrationsFolders.edge, oldFolder, { recursive: true });
    const journalPath = join(oldFolder, "meta", "_journal.json");
    const journal = JSON.parse(readFileSync(journalPath, "utf8")) as { entries: { tag: string }[] };
    journal.entries = journal.entries.filter((e) => e.tag < "0002");
    writeFileSync(journalPath, JSON.stringify(journal));
    const path = join(dir, "edge-upgrade.db");
    const client = createClient({ url: `file:${path}` });
    await migrate(drizzle(client), { migrationsFolder: oldFolder });
    client.close();

    const { db, connection } = syncConnection(path);
    db.exec(`INSERT INTO networks (mac, kind, first_seen, last_seen, observation_count)
      VALUES ('aa:aa:aa:aa:aa:01', 'wifi', 1, 3, 3), ('aa:aa:aa:aa:aa:02', 'ble', 1, 1, 1)`);
    db.exec(`INSERT INTO observations (run_id, kind, mac, seen_at, rssi_dbm, source) VALUES
      ('r', 'wifi', 'aa:aa:aa:aa:aa:01', 1, -50, 't'), ('r', 'wifi', 'aa:aa:aa:aa:aa:01', 2, NULL, 't'),
      ('r', 'wifi', 'aa:aa:aa:aa:aa:01', 3, -70, 't'), ('r', 'ble', 'aa:aa:aa:aa:aa:02', 1, NULL, 't')`);
    migrateEdgeConnection(connection);
    const sums = db.prepare("SELECT mac, rssi_sum, rssi_count FROM networks ORDER BY mac").raw(true).all();
    expect(sums).toEqual([
      ["aa:aa:aa:aa:aa:01", -120, 2],
      ["aa:aa:aa:aa:aa:02", 0, 0],
    ]);
    const indexes = db.prepare(
      "SELECT name FROM sqlite_master WHERE tbl_name = 'observations' AND type = 'index'",
    );
    expect(indexes.raw(true).all()).toEqual([]);
    db.close();
  });

  it("rolls back a migration run that fails part-way", async () => {
    const path = join(dir, "edge-failing.db");
    const { db, connection } = syncConnection(path);
    // A table in the way of the first migration's CREATE TABLE makes it fail after the bookkeeping table.
    db.exec("CREATE TABLE observations (x)");
    expect(() => migrateEdgeConnection(connection)).toThrow(/already exists/);
    expect(db.inTransaction).toBe(false);
    const applied = db.prepare('SELECT count(*) FROM "__drizzle_migrations"').raw(true).all() as number[][];
    expect(applied[0]?.[0]).toBe(0);
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .raw(true)
      .all();
    expect(tables).toEqual([["__drizzle_migrations"], ["observations"]]);
    db.close();
  });

  it("migrates an empty cloud database", async () => {
    const url = `file:${join(dir, "cloud.db")}`;
    const client = createClient({ url });
    await migrateCloud(client);
    client.close();
    // every table the drizzle schema declares, and nothing else
    const declared = Object.values(cloudSchema)
      .filter((value) => is(value, SQLiteTable))
      .map((table) => getTableName(table as SQLiteTable));
    expect(declared.length).toBeGreaterThan(8);
    expect(await tableNames(url)).toEqual(["__drizzle_migrations", ...declared].sort());
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
