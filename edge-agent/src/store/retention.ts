import type { EdgeStore } from "./edge-store.js";

const DAY_MS = 24 * 3600 * 1000;

/**
 * The highest seq every cloud target has acknowledged: min(acked_seq) over sync_state. null when there is
 * no sync_state row, i.e. nothing has ever been acknowledged, so nothing may be deleted.
 */
export async function acknowledgedSeq(store: EdgeStore): Promise<number | null> {
  const rs = await store.execute("SELECT min(acked_seq) AS acked FROM sync_state");
  const acked = rs.rows[0]?.acked;
  return acked === null || acked === undefined ? null : Number(acked);
}

export interface PruneResult {
  deleted: number;
  ackedSeq: number | null;
}

/**
 * Deletes observations that are acknowledged (seq <= min(acked_seq)) AND were seen before `seenBefore`.
 * The outbox rule (decision 1) lives here: unacknowledged rows are never touched. Deletes run in chunks
 * of `chunkRows` so one prune never grows the WAL past what a small board can afford.
 */
export async function pruneAcknowledged(
  store: EdgeStore,
  seenBefore: number,
  chunkRows = 5000,
): Promise<PruneResult> {
  const ackedSeq = await acknowledgedSeq(store);
  if (ackedSeq === null) return { deleted: 0, ackedSeq };
  let deleted = 0;
  for (;;) {
    const rs = await store.execute({
      sql: `DELETE FROM observations WHERE seq IN (
        SELECT seq FROM observations WHERE seq <= ? AND seen_at < ? ORDER BY seq LIMIT ?)`,
      args: [ackedSeq, seenBefore, chunkRows],
    });
    deleted += rs.rowsAffected;
    if (rs.rowsAffected < chunkRows) return { deleted, ackedSeq };
  }
}

export interface Bound {
  keepRows: number;
  keepDays: number;
}

/** Tables the maintenance job keeps bounded: their time column; `id` is the insertion order. */
const BOUNDED_TABLES = { slow_queries: "recorded_at", health_samples: "sampled_at" } as const;

/** Keeps only the newest `keepRows` rows of a diagnostic table, none older than `keepDays`. */
export async function trimDiagnostics(
  store: EdgeStore,
  table: keyof typeof BOUNDED_TABLES,
  bound: Bound,
  now: number,
): Promise<number> {
  const byAge = await store.execute({
    sql: `DELETE FROM ${table} WHERE ${BOUNDED_TABLES[table]} < ?`,
    args: [now - bound.keepDays * DAY_MS],
  });
  // The id of the newest row to drop is the keepRows-th newest; everything at or below it goes.
  const byCount = await store.execute({
    sql: `DELETE FROM ${table} WHERE id <= (SELECT id FROM ${table} ORDER BY id DESC LIMIT 1 OFFSET ?)`,
    args: [bound.keepRows],
  });
  return byAge.rowsAffected + byCount.rowsAffected;
}
