import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Reports written by the daily {reports} job (the last N of each kind are kept). */
export const storedReports = sqliteTable(
  "stored_reports",
  {
    id: text("id").primaryKey(),
    /** performance | fleet | coverage */
    kind: text("kind").notNull(),
    createdAt: integer("created_at").notNull(),
    since: integer("since").notNull(),
    until: integer("until").notNull(),
    /** The self-contained HTML file. */
    html: text("html").notNull(),
  },
  (t) => [index("stored_reports_kind_created_idx").on(t.kind, t.createdAt)],
);
