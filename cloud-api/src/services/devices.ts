import { randomUUID } from "node:crypto";
import type { Client } from "@libsql/client";
import { hashSecret, newSecret } from "../auth/secret.js";
import { InvalidArgumentError, NotFoundError } from "../errors.js";

export interface Device {
  id: string;
  name: string;
  createdAt: number;
  revokedAt: number | null;
  lastSeenAt: number | null;
}

function toDevice(row: Record<string, unknown>): Device {
  return {
    id: String(row.id),
    name: String(row.name),
    createdAt: Number(row.created_at),
    revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
    lastSeenAt: row.last_seen_at === null ? null : Number(row.last_seen_at),
  };
}

/** Registers a device; the returned token is the only copy (the database keeps its hash). */
export async function createDevice(
  db: Client,
  input: { name: string; now?: number },
): Promise<{ id: string; name: string; token: string }> {
  const name = input.name.trim();
  if (name === "" || name.length > 128)
    throw new InvalidArgumentError("device name must be 1-128 characters");
  const id = `dev-${randomUUID()}`;
  const token = newSecret();
  await db.execute({
    sql: "INSERT INTO devices (id, name, token_hash, created_at) VALUES (?, ?, ?, ?)",
    args: [id, name, hashSecret(token), input.now ?? Date.now()],
  });
  return { id, name, token };
}

export async function listDevices(db: Client): Promise<Device[]> {
  const rs = await db.execute(
    "SELECT id, name, created_at, revoked_at, last_seen_at FROM devices ORDER BY created_at, id",
  );
  return rs.rows.map((r) => toDevice(r as Record<string, unknown>));
}

/** Revokes a device: its token stops working at once. Revoking twice keeps the first time. */
export async function revokeDevice(db: Client, id: string, now = Date.now()): Promise<Device> {
  const rs = await db.execute({
    sql: `UPDATE devices SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?
      RETURNING id, name, created_at, revoked_at, last_seen_at`,
    args: [now, id],
  });
  const row = rs.rows[0];
  if (row === undefined) throw new NotFoundError(`no device ${id}`);
  return toDevice(row as Record<string, unknown>);
}

export async function findDeviceByToken(db: Client, token: string): Promise<Device | undefined> {
  const rs = await db.execute({
    sql: "SELECT id, name, created_at, revoked_at, last_seen_at FROM devices WHERE token_hash = ?",
    args: [hashSecret(token)],
  });
  const row = rs.rows[0];
  return row === undefined ? undefined : toDevice(row as Record<string, unknown>);
}
