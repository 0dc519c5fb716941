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
