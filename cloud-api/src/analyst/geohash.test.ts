import fc from "fast-check";
import ngeohash from "ngeohash";
import { describe, expect, it } from "vitest";
import {
  cellBounds,
  encodeGeohash,
  gridCellCount,
  gridGeohashes,
  gridOf,
  indexOfGeohash,
} from "./geohash.js";

// ngeohash is the reference (its own bisection); points exactly on a cell edge are where the two
// conventions differ (ours: the east/north cell, below), so the generators leave out edge coordinates.
const offEdge = (span: number) => (v: number) => !Number.isInteger(((v + span / 2) * 2 ** 26) / span);
const lat = fc.double({ min: -89.999, max: 89.999, noNaN: true }).filter(offEdge(180));
const lon = fc.double({ min: -179.999, max: 179.999, noNaN: true }).filter(offEdge(360));
const precision = fc.integer({ min: 1, max: 9 });

describe("geohash", () => {
  it("encodes like ngeohash", () => {
    fc.assert(
      fc.property(lat, lon, precision, (y, x, p) => {
        expect(encodeGeohash(y, x, p)).toBe(ngeohash.encode(y, x, p));
      }),
      { numRuns: 2000 },
    );
  });

  it("a cell's bounds are ngeohash's and hold the point; coarser cells are prefixes", () => {
    fc.assert(
      fc.property(lat, lon, precision, (y, x, p) => {
        const hash = encodeGeohash(y, x, p);
        const [w, s, e, n] = cellBounds(indexOfGeohash(hash) ?? { x: -1, y: -1 }, p);
        expect([s, w, n, e]).toEqual(ngeohash.decode_bbox(hash));
        expect(w <= x && x < e && s <= y && y < n).toBe(true);
        expect(encodeGeohash(y, x, 7).startsWith(encodeGeohash(y, x, 5))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it("a bbox's grid lists exactly the cells ngeohash finds touching it", () => {
    const box = { minLon: 151.2031, minLat: -33.8117, maxLon: 151.2198, maxLat: -33.7952 };
    for (const p of [5, 6, 7]) {
      const grid = gridOf(box, p);
      const mine = gridGeohashes(grid).sort();
      const theirs = ngeohash.bboxes(box.minLat, box.minLon, box.maxLat, box.maxLon, p).sort();
      expect(mine).toEqual(theirs);
      expect(gridCellCount(grid)).toBe(mine.length);
    }
  });

  it("puts a point on an edge in the cell east / north of it (half-open cells, like the grid)", () => {
    expect(encodeGeohash(0, 0, 1)).toBe("s"); // ngeohash's strict > gives "7", the south-west cell
    expect(gridOf({ minLon: 0, minLat: 0, maxLon: 0, maxLat: 0 }, 1)).toEqual({
      precision: 1,
      x0: 4,
      x1: 4,
      y0: 2,
      y1: 2,
    });
  });

  it("refuses strings that are not geohashes", () => {
    expect(indexOfGeohash("u4pruy")).not.toBeNull();
    expect(indexOfGeohash("abc")).toBeNull(); // 'a' is not in the alphabet
  });
});
