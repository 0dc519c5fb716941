import { integer, sqliteTable } from "drizzle-orm/sqlite-core";

/**
 * One row (id 1) counting the merges that changed the fleet's data: a merge that inserted at least one
 * sighting bumps it in its own transaction. Analyst caches and cursors key on it, so a cached answer is
 * never served across a merge that could have changed it; a replayed batch leaves it as it was.
 */
export const mergeGeneration = sqliteTable("merge_generation", {
  id: integer("id").primaryKey(),
  generation: integer("generation").notNull(),
  changedAt: integer("changed_at").notNull(),
  /**
   * The newest generation a search cursor was pinned to (first pages write it). A merge keeps the as-of
   * history only of networks last changed at or before it: no cursor can need the others' old rows.
   */
  pagedGeneration: integer("paged_generation").notNull().default(0),
});
