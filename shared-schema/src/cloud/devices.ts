import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Registered edge devices. The bearer token is shown once and only its SHA-256 is kept. */
export const devices = sqliteTable("devices", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  tokenHash: text("token_hash").notNull().unique(),
  createdAt: integer("created_at").notNull(),
  revokedAt: integer("revoked_at"),
  lastSeenAt: integer("last_seen_at"),
});

/** API keys for analysts, operators and admins; hashed like device tokens. */
export const apiKeys = sqliteTable("api_keys", {
  id: text("id").primaryKey(),
  role: text("role").notNull(),
  keyHash: text("key_hash").notNull().unique(),
  createdAt: integer("created_at").notNull(),
  revokedAt: integer("revoked_at"),
});
