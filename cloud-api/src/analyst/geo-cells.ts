import { NETWORK_CELLS_PER_DEGREE } from "@piwardrive/shared-schema/cloud";
import type { Bbox } from "./query-params.js";

/*
 * The map cells of the networks' cell index (shared-schema networkCellSql): the same arithmetic in JS, so
 * a bbox turns into the cell numbers the index is keyed by. (lat + 90) * 100 is the same IEEE double here
 * and in SQLite, and both truncate it, so a point is in exactly the cell SQLite puts it in.
 */

const cellOf = (degrees: number, offset: number) => Math.trunc((degrees + offset) * NETWORK_CELLS_PER_DEGREE);

/** How many cells `bbox` touches. */
export function cellCount(bbox: Bbox): number {
  return (
    (cellOf(bbox.maxLat, 90) - cellOf(bbox.minLat, 90) + 1) *
    (cellOf(bbox.maxLon, 180) - cellOf(bbox.minLon, 180) + 1)
  );
}

/** The cells `bbox` touches: every network located inside it has one of these. */
export function cellsCovering(bbox: Bbox): number[] {
  const cells: number[] = [];
  for (let lat = cellOf(bbox.minLat, 90); lat <= cellOf(bbox.maxLat, 90); lat++) {
    for (let lon = cellOf(bbox.minLon, 180); lon <= cellOf(bbox.maxLon, 180); lon++) {
      cells.push(lat * 65536 + lon);
    }
  }
  return cells;
}
