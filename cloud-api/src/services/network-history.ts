import type { Client } from "@libsql/client";
import { CURSOR_LIFETIME_MS } from "../analyst/network-search.js";

/*
 * Retention of network_history, the as-of rows behind search cursors (decisions 0012 and 0022). A row
 * superseded at time S is read only by cursors whose first page came before S; such a cursor is refused
 * (400 cursor_expired) once older than CURSOR_LIFETIME_MS, so rows superseded before now - lifetime are
 * dead. A minute of margin covers a merge that took its clock, then waited for the write lock while a
 * first page pinned the generation before it.
 */

const MARGIN_MS = 60_000;
const CHUNK_ROWS = 5000;

// The oldest generations first (the generation index), up to CHUNK_ROWS rows per transaction, so a
// large backlog never holds the write lock for long; superseded_at grows with the generation.
const PRUNE_CHUNK = `DELETE FROM network_history WHERE generation <= (SELECT max(generation) FROM
  (SELECT generation, superseded_at FROM network_history ORDER BY generation LIMIT ${CHUNK_ROWS})
  WHERE superseded_at < ?)`;

/** Deletes every history row superseded before `now - lifetimeMs` (minus the margin); returns how many. */
export async function pruneNetworkHistory(
  db: Client,
  now: number,
  lifetimeMs = CURSOR_LIFETIME_MS,
): Promise<number> {
  const cutoff = now - lifetimeMs - MARGIN_MS;
  let deleted = 0;
  for (;;) {
    const [rs] = await db.batch([{ sql: PRUNE_CHUNK, args: [cutoff] }], "write");
    const n = rs?.rowsAffected ?? 0;
    deleted += n;
    if (n === 0) return deleted;
  }
}
