import { fileURLToPath } from "node:url";
import type { Client } from "@libsql/client";
import { drizzle } from "drizzle-orm/libsql";
import { migrate } from "drizzle-orm/libsql/migrator";

/** Folders holding the committed, drizzle-kit generated SQL (shipped with this package). */
export const migrationsFolders = {
  edge: fileURLToPath(new URL("../edge", import.meta.url)),
  cloud: fileURLToPath(new URL("../cloud", import.meta.url)),
} as const;

/** Applies every edge migration not yet applied. Idempotent; runs in one batch (one transaction). */
export async function migrateEdge(client: Client): Promise<void> {
  await migrate(drizzle(client), { migrationsFolder: migrationsFolders.edge });
}

/** Applies every cloud migration not yet applied. Idempotent; runs in one batch (one transaction). */
export async function migrateCloud(client: Client): Promise<void> {
  await migrate(drizzle(client), { migrationsFolder: migrationsFolders.cloud });
}
