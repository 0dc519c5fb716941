import { readMigrationFiles } from "drizzle-orm/migrator";
import { migrationsFolders } from "./folders.js";

/** The part of a synchronous SQLite connection (the edge store's) that applying migrations needs. */
export interface SyncSqlConnection {
  execute(statement: { sql: string; args?: (string | number)[] }): { rows: ArrayLike<unknown>[] };
  executeScript(sql: string): void;
}

const TABLE = `"__drizzle_migrations"`;

/**
 * Applies every edge migration not yet applied, on the edge store's own synchronous connection. Same
 * files, same `__drizzle_migrations` bookkeeping (hash and `when` of each journal entry) and same rule
 * (apply what is newer than the newest recorded) as drizzle's migrator behind `migrateEdge`, so either one
 * carries on from the other (tested). It exists so that the edge agent loads drizzle's migration reader
 * only, not a drizzle driver and @libsql/client (~10 MB of RSS on a Pi).
 */
export function migrateEdgeConnection(connection: SyncSqlConnection): void {
  const migrations = readMigrationFiles({ migrationsFolder: migrationsFolders.edge });
  connection.executeScript(
    `CREATE TABLE IF NOT EXISTS ${TABLE} (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)`,
  );
  const newest = connection.execute({
    sql: `SELECT created_at FROM ${TABLE} ORDER BY created_at DESC LIMIT 1`,
  }).rows[0];
  const newestMillis = newest === undefined ? null : Number(newest[0]);
  const pending = migrations.filter((m) => newestMillis === null || newestMillis < m.folderMillis);
  if (pending.length === 0) return;
  // As @libsql/client's migrate(): foreign keys off while tables are rebuilt, one transaction for all.
  connection.executeScript("PRAGMA foreign_keys=OFF; BEGIN");
  try {
    for (const migration of pending) {
      for (const statement of migration.sql) connection.executeScript(statement);
      connection.execute({
        sql: `INSERT INTO ${TABLE} ("hash", "created_at") VALUES (?, ?)`,
        args: [migration.hash, migration.folderMillis],
      });
    }
    connection.executeScript("COMMIT");
  } catch (error) {
    connection.executeScript("ROLLBACK");
    throw error;
  } finally {
    connection.executeScript("PRAGMA foreign_keys=ON");
  }
}
