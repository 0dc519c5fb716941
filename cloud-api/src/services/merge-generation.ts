import type { Client } from "@libsql/client";

/**
 * Bumps the merge generation inside the merge's transaction, only when the merge staged (so inserted) at
 * least one sighting: every aggregate reads the same stage, so an empty stage changed nothing. `?` is the
 * merge's clock.
 */
export const BUMP_MERGE_GENERATION = `INSERT INTO merge_generation (id, generation, changed_at)
SELECT 1, 1, ? WHERE EXISTS (SELECT 1 FROM temp.merge_stage)
ON CONFLICT (id) DO UPDATE SET generation = merge_generation.generation + 1, changed_at = excluded.changed_at`;

export interface MergeGeneration {
  /** 0 before the first merge that inserted anything. */
  generation: number;
  /** When it last changed (epoch ms), null before the first. */
  changedAt: number | null;
}

/** The current generation; one primary-key read, cheap enough to run on every analyst request. */
export async function readMergeGeneration(db: Client): Promise<MergeGeneration> {
  const rs = await db.execute("SELECT generation, changed_at FROM merge_generation WHERE id = 1");
  const row = rs.rows[0];
  if (row === undefined) return { generation: 0, changedAt: null };
  return { generation: Number(row.generation), changedAt: Number(row.changed_at) };
}

/**
 * The generation a new search cursor pins (decision 0022): the current one, recorded as paged so that
 * later merges keep the as-of history that cursor reads. Written only when it moves (a read suffices when
 * the current generation is already recorded: the record never goes back), and then in a write
 * transaction, so a merge either ran before it (and is in the generation returned) or sees the record.
 */
export async function pinSearchGeneration(db: Client): Promise<number> {
  const rs = await db.execute("SELECT generation, paged_generation FROM merge_generation WHERE id = 1");
  const row = rs.rows[0];
  if (row === undefined) return 0;
  if (Number(row.paged_generation) >= Number(row.generation)) return Number(row.generation);
  const [, pinned] = await db.batch(
    [
      "UPDATE merge_generation SET paged_generation = generation WHERE id = 1 AND paged_generation < generation",
      "SELECT generation FROM merge_generation WHERE id = 1",
    ],
    "write",
  );
  return Number(pinned?.rows[0]?.generation ?? 0);
}
