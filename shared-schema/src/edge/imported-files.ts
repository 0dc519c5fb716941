import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Files already imported, by content hash, so a re-import is skipped and adds nothing. */
export const importedFiles = sqliteTable("imported_files", {
  sha256: text("sha256").primaryKey(),
  path: text("path").notNull(),
  format: text("format").notNull(),
  sizeBytes: integer("size_bytes").notNull(),
  importedAt: integer("imported_at").notNull(),
  records: integer("records").notNull(),
  observations: integer("observations").notNull(),
  rejected: integer("rejected").notNull(),
  /** Source metadata the file carried (e.g. the WiGLE pre-header), as JSON. */
  metadata: text("metadata"),
});
