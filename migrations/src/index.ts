import type { Client } from "@libsql/client";
import { migrate } from "drizzle-orm/libsql/migrator";
// The sqlite3 entry loads only the local-file client: the edge agent never needs the HTTP/WebSocket ones
// (it saves ~5 MB of RSS). drizzle(client) wraps whatever client it is handed, remote ones included.
import { drizzle } from "drizzle-orm/libsql/sqlite3";

import { migrationsFolders } from "./folders.js";

export { migrateEdgeConnection, type SyncSqlConnection } from "./edge-connection.js";
export { migrationsFolders } from "./folders.js";

/** Applies every edge migration not yet applied. Idempotent; runs in one batch (one transaction). */
export async function migrateEdge(client: Client): Promise<void> {
  await migrate(drizzle(client), { migrationsFolder: migrationsFolders.edge });
}

/** Applies every cloud migration not yet applied. Idempotent; runs in one batch (one transaction). */
export async function migrateCloud(client: Client): Promise<void> {
  await migrate(drizzle(client), { migrationsFolder: migrationsFolders.cloud });
}
