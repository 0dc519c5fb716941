import type { Client, Row } from "@libsql/client";
import { exactText, nulSafeBytes } from "../db/nul-safe-text.js";
import { InvalidArgumentError, NotFoundError } from "../errors.js";

export const WATCH_TYPES = ["ssid", "ssid_pattern", "mac", "oui"] as const;
export type WatchType = (typeof WATCH_TYPES)[number];

export interface WatchEntry {
  id: number;
  type: WatchType;
  value: string;
  note: string | null;
  createdAt: string;
  createdBy: string | null;
}

/**
 * The form the merge compares with: a MAC lower-case with colons (`AA-BB-CC-...` -> `aa:bb:cc:...`), an OUI
 * prefix likewise (6 hex digits for MA-L, 7 for MA-M, 9 for MA-S: `aa:bb:cc:d`), an SSID exactly as given,
 * a pattern lower-cased for GLOB (`*` any run, `?` one character: case-insensitive).
 */
export function watchMatch(type: WatchType, value: string): string {
  if (value.length === 0 || value.length > 64) throw new InvalidArgumentError("value: 1 to 64 characters");
  if (type === "ssid") return value;
  if (type === "ssid_pattern") return value.toLowerCase();
  const hex = value.replace(/[:.-]/g, "").toLowerCase();
  if (!/^[0-9a-f]+$/.test(hex))
    throw new InvalidArgumentError(`value: not a ${type === "mac" ? "MAC" : "OUI"}`);
  if (type === "mac" && hex.length !== 12) throw new InvalidArgumentError("value: a MAC has 12 hex digits");
  if (type === "oui" && (hex.length < 6 || hex.length > 9))
    throw new InvalidArgumentError("value: an OUI prefix has 6 (MA-L), 7 (MA-M) or 9 (MA-S) hex digits");
  return (hex.match(/..?/g) ?? []).join(":");
}

export async function addWatch(
  db: Client,
  entry: { type: WatchType; value: string; note?: string | null; createdBy?: string | null },
  now = Date.now(),
): Promise<WatchEntry> {
  const match = watchMatch(entry.type, entry.value);
  const rs = await db.execute({
    sql: `INSERT INTO watchlist (type, value, match, note, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)
      RETURNING *, ${nulSafeBytes("value")}`,
    args: [entry.type, entry.value, match, entry.note ?? null, now, entry.createdBy ?? null],
  });
  return toEntry(rs.rows[0] as Row);
}

export async function listWatch(db: Client): Promise<WatchEntry[]> {
  return (await db.execute(`SELECT *, ${nulSafeBytes("value")} FROM watchlist ORDER BY id`)).rows.map(
    toEntry,
  );
}

/** Removes an entry and its hooks; alerts it raised stay (they are history). */
export async function removeWatch(db: Client, id: number): Promise<void> {
  const [removed] = await db.batch(
    [
      { sql: "DELETE FROM watchlist WHERE id = ?", args: [id] },
      {
        sql: "UPDATE webhooks SET disabled_at = ? WHERE watchlist_id = ? AND disabled_at IS NULL",
        args: [Date.now(), id],
      },
    ],
    "write",
  );
  if (removed?.rowsAffected === 0) throw new NotFoundError(`no watchlist entry ${id}`);
}

function toEntry(r: Row): WatchEntry {
  return {
    id: Number(r.id),
    type: String(r.type) as WatchType,
    value: exactText(r.value, r.value_bytes) ?? "",
    note: r.note === null ? null : String(r.note),
    createdAt: new Date(Number(r.created_at)).toISOString(),
    createdBy: r.created_by === null ? null : String(r.created_by),
  };
}
