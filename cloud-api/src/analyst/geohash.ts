/*
 * Geohash (Niemeyer 2008; the de-facto standard of geohash.org): 5 bits per base-32 character, bits
 * alternating longitude, latitude, longitude, ... from the most significant. A cell's children share its
 * string as a prefix, which is what lets the heatmap keep one precision-7 set for every precision
 * (docs/decisions/0024-geohash-heatmap-cells.md). A point on a cell edge belongs to the cell east / north
 * of it (half-open cells), and the grid below uses the same rule.
 */

const BASE32 = "0123456789bcdefghjkmnpqrstuvwxyz";

/** Longitude and latitude bits of a precision: 5p bits, longitude takes the odd one. */
function bits(precision: number): { lonBits: number; latBits: number } {
  const total = 5 * precision;
  return { lonBits: Math.ceil(total / 2), latBits: Math.floor(total / 2) };
}

/** Index of `value` among 2^n equal slices of [min, max), by bisection (exact: each midpoint is dyadic). */
function slice(value: number, min: number, max: number, n: number): number {
  let lo = min;
  let hi = max;
  let index = 0;
  for (let i = 0; i < n; i++) {
    const mid = (lo + hi) / 2;
    index *= 2;
    if (value >= mid) {
      index += 1;
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return index;
}

/** Column (x, west to east) and row (y, south to north) of a cell in its precision's grid. */
export interface GridIndex {
  x: number;
  y: number;
}

export function gridIndexOf(lat: number, lon: number, precision: number): GridIndex {
  const { lonBits, latBits } = bits(precision);
  return { x: slice(lon, -180, 180, lonBits), y: slice(lat, -90, 90, latBits) };
}

/** The geohash of grid cell (x, y): its bits interleaved, longitude first (precision <= 12: 30-bit indices). */
export function geohashOfIndex(index: GridIndex, precision: number): string {
  const { lonBits, latBits } = bits(precision);
  let out = "";
  let lonLeft = lonBits;
  let latLeft = latBits;
  for (let c = 0; c < precision; c++) {
    let value = 0;
    for (let b = 0; b < 5; b++) {
      const bitIndex = c * 5 + b;
      const bit = bitIndex % 2 === 0 ? (index.x >>> --lonLeft) & 1 : (index.y >>> --latLeft) & 1;
      value = (value << 1) | bit;
    }
    out += BASE32[value];
  }
  return out;
}

export function encodeGeohash(lat: number, lon: number, precision: number): string {
  return geohashOfIndex(gridIndexOf(lat, lon, precision), precision);
}

/** Grid index of a geohash (its precision is its length); null for a string that is not one. */
export function indexOfGeohash(hash: string): GridIndex | null {
  let x = 0;
  let y = 0;
  let bit = 0;
  for (const ch of hash) {
    const value = BASE32.indexOf(ch);
    if (value < 0) return null;
    for (let b = 4; b >= 0; b--) {
      const v = (value >> b) & 1;
      if (bit % 2 === 0) x = x * 2 + v;
      else y = y * 2 + v;
      bit++;
    }
  }
  return { x, y };
}

/** Width (degrees of longitude) and height (degrees of latitude) of a cell at this precision. */
export function cellSize(precision: number): { width: number; height: number } {
  const { lonBits, latBits } = bits(precision);
  return { width: 360 / 2 ** lonBits, height: 180 / 2 ** latBits };
}

/** [west, south, east, north] of a grid cell (exact: multiples of a power-of-two fraction). */
export function cellBounds(index: GridIndex, precision: number): [number, number, number, number] {
  const { width, height } = cellSize(precision);
  const west = -180 + index.x * width;
  const south = -90 + index.y * height;
  return [west, south, west + width, south + height];
}

export interface BboxLike {
  minLon: number;
  minLat: number;
  maxLon: number;
  maxLat: number;
}

/** The block of cells of a precision that a bbox touches (inclusive index ranges). */
export interface CellGrid {
  precision: number;
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

export function gridOf(bbox: BboxLike, precision: number): CellGrid {
  const low = gridIndexOf(bbox.minLat, bbox.minLon, precision);
  const high = gridIndexOf(bbox.maxLat, bbox.maxLon, precision);
  return { precision, x0: low.x, x1: high.x, y0: low.y, y1: high.y };
}

export const gridCellCount = (g: CellGrid) => (g.x1 - g.x0 + 1) * (g.y1 - g.y0 + 1);

export function inGrid(g: CellGrid, index: GridIndex): boolean {
  return index.x >= g.x0 && index.x <= g.x1 && index.y >= g.y0 && index.y <= g.y1;
}

/** Every geohash of a grid (callers bound its size first). */
export function gridGeohashes(g: CellGrid): string[] {
  const out: string[] = [];
  for (let y = g.y0; y <= g.y1; y++) {
    for (let x = g.x0; x <= g.x1; x++) out.push(geohashOfIndex({ x, y }, g.precision));
  }
  return out;
}
