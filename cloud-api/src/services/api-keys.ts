import { randomUUID } from "node:crypto";
import type { Client } from "@libsql/client";
import { hashSecret, newSecret } from "../auth/secret.js";

/** Ordered: each role can do everything the ones before it can. */
export const ROLES = ["analyst", "operator", "admin"] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export function roleAtLeast(role: Role, minimum: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(minimum);
}

export interface ApiKey {
  id: string;
  role: Role;
  revokedAt: number | null;
}

/** Creates a key; the returned `key` is the only copy (the database keeps its hash). */
export async function createApiKey(
  db: Client,
  input: { role: Role; now?: number },
): Promise<{ id: string; role: Role; key: string }> {
  const id = `key-${randomUUID()}`;
  const key = newSecret();
  await db.execute({
    sql: "INSERT INTO api_keys (id, role, key_hash, created_at) VALUES (?, ?, ?, ?)",
    args: [id, input.role, hashSecret(key), input.now ?? Date.now()],
  });
  return { id, role: input.role, key };
}

/** The key with this secret, or undefined; keys with a role this build does not know are ignored. */
export async function findApiKey(db: Client, secret: string): Promise<ApiKey | undefined> {
  const rs = await db.execute({
    sql: "SELECT id, role, revoked_at FROM api_keys WHERE key_hash = ?",
    args: [hashSecret(secret)],
  });
  const row = rs.rows[0];
  if (row === undefined) return undefined;
  const role = String(row.role);
  if (!isRole(role)) return undefined;
  return { id: String(row.id), role, revokedAt: row.revoked_at === null ? null : Number(row.revoked_at) };
}
