import type { EdgeStore } from "../store/edge-store.js";

/*
 * Why the single seq cursor survives a power-cut rollback (synchronous=NORMAL can drop the last commits):
 *
 * - Rows written after the rollback reuse seqs of the lost rows, but carry a new run_id (the writer's
 *   runId is random per process) and the cloud keys observations by (device, run_id, seq), so they are
 *   never mistaken for the lost rows. The outbox puts each row's own run_id in its batch.
 * - The ack is committed after the rows it covers, in the same file. A rollback keeps a prefix of the
 *   commit history, so if it drops rows it also drops every later ack: acked_seq can fall back (rows
 *   are resent and deduplicated: fine) but cannot stay ahead of the rows. sqlite_sequence (the
 *   AUTOINCREMENT high-water mark) lives in the same file and rolls back with them, so a new row gets a
 *   seq <= acked_seq only if sync_state survived while sqlite_sequence did not, which one file cannot do.
 * - Plans are committed with synchronous=FULL (see SyncLedger.commitPlan), so a plan the cloud may hold
 *   is never rolled back, and rows it names were committed before it.
 *
 * Still, a restored backup or a hand-edited file can break that, and a cursor past the high-water mark
 * would skip rows silently. Pulling it back to the current max(seq) is not enough: rows written between
 * the break and this check already sit below that mark. So the cursor goes back to 0 and everything still
 * stored is sent again; the cloud keys observations by (device, run, seq), so the repeats change nothing
 * there. Plans naming rows past the mark are dropped (next_batch_seq only grows: their keys are not reused).
 */

export interface RepairReport {
  repaired: boolean;
  reasons: string[];
}

const CURSORS = [
  { table: "observations", key: "seq", cursor: "acked_seq", planLast: "last_seq" },
  { table: "gps_fixes", key: "id", cursor: "acked_fix_id", planLast: "fix_last_id" },
  { table: "health_samples", key: "id", cursor: "acked_health_id", planLast: "health_last_id" },
] as const;

export async function repairCursorsAfterRollback(store: EdgeStore, target: string): Promise<RepairReport> {
  const reasons: string[] = [];
  for (const c of CURSORS) {
    // max(key) as well as sqlite_sequence: a table whose rows were all pruned keeps its sequence entry,
    // but a database restored without one (a VACUUM INTO copy, say) still has its rows.
    const rs = await store.execute({
      sql: `SELECT max(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = ?), 0),
          COALESCE((SELECT max(${c.key}) FROM ${c.table}), 0)) AS hwm,
        (SELECT ${c.cursor} FROM sync_state WHERE target = ?) AS cursor,
        (SELECT max(${c.planLast}) FROM sync_batches WHERE target = ?) AS planned`,
      args: [c.table, target, target],
    });
    const row = rs.rows[0];
    const hwm = Number(row?.hwm ?? 0);
    const cursor = row?.cursor === null || row?.cursor === undefined ? null : Number(row.cursor);
    const planned = row?.planned === null || row?.planned === undefined ? null : Number(row.planned);
    if ((cursor === null || cursor <= hwm) && (planned === null || planned <= hwm)) continue;
    reasons.push(
      `${c.table}: cursor ${cursor ?? "-"} / planned ${planned ?? "-"} beyond high-water mark ${hwm}`,
    );
    const cursorBad = cursor !== null && cursor > hwm;
    await store.batch([
      // A cursor reset drops every pending plan (their rows are all sent again); otherwise only the plans
      // naming rows past the mark.
      {
        sql: `DELETE FROM sync_batches WHERE target = ? AND (? OR ${c.planLast} > ?)`,
        args: [target, cursorBad, hwm],
      },
      {
        sql: `UPDATE sync_state SET ${c.cursor} = 0, updated_at = ? WHERE target = ? AND ${c.cursor} > ?`,
        args: [Date.now(), target, hwm],
      },
    ]);
  }
  return { repaired: reasons.length > 0, reasons };
}
