import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/*
 * Heatmap cells (docs/analyst-aggregates.md, docs/decisions/0024-geohash-heatmap-cells.md): geohash cells at
 * precisions 5, 6 and 7, kept by the merge from the rows it inserted. `kind` is an observation kind or '*'
 * (every kind: its `transmitters` counts a MAC once even when it was seen as two kinds).
 */

/** Per cell, kind and UTC day (epoch day number): sightings and distinct transmitters that day. */
export const heatmapCells = sqliteTable(
  "heatmap_cells",
  {
    precision: integer("precision").notNull(),
    kind: text("kind").notNull(),
    day: integer("day").notNull(),
    cell: text("cell").notNull(),
    sightings: integer("sightings").notNull(),
    transmitters: integer("transmitters").notNull(),
  },
  (t) => [primaryKey({ columns: [t.precision, t.kind, t.day, t.cell] })],
);

/** Per cell and kind over all days: sightings and distinct transmitters ever seen there. */
export const heatmapCellTotals = sqliteTable(
  "heatmap_cell_totals",
  {
    precision: integer("precision").notNull(),
    kind: text("kind").notNull(),
    cell: text("cell").notNull(),
    sightings: integer("sightings").notNull(),
    transmitters: integer("transmitters").notNull(),
  },
  (t) => [primaryKey({ columns: [t.precision, t.kind, t.cell] })],
);

/**
 * The set behind the exact distinct counts: transmitter `mac` (as `kind`) was seen on `day` in the
 * precision-7 cell `cell`. Coarser cells are its prefixes, so one set answers every precision and any
 * range of days (count(DISTINCT mac) over the rows of the range).
 */
export const heatmapPresence = sqliteTable(
  "heatmap_presence",
  {
    mac: text("mac").notNull(),
    day: integer("day").notNull(),
    cell: text("cell").notNull(),
    kind: text("kind").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.mac, t.day, t.cell, t.kind] }),
    // Heatmaps over several days: the rows of one day within a cell prefix, covering (no table lookup).
    index("heatmap_presence_day_cell_idx").on(t.day, t.cell, t.kind, t.mac),
  ],
);

/** Transmitter `mac` (as `kind`) was seen in the precision-7 cell `cell` on some day: the totals' set. */
export const heatmapPresenceEver = sqliteTable(
  "heatmap_presence_ever",
  {
    mac: text("mac").notNull(),
    cell: text("cell").notNull(),
    kind: text("kind").notNull(),
  },
  (t) => [primaryKey({ columns: [t.mac, t.cell, t.kind] })],
);
