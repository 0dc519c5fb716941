import { z } from "zod";

/*
 * The primitives the columnar wire form is built from. Every one round-trips exactly: the encoder never
 * rounds, it only chooses a compact spelling when that spelling decodes to the identical number.
 */

/** A delta from the previous value, or `[absolute]` when the delta is not a safe integer. */
export type DeltaInt = number | [number];
export const deltaIntSchema = z.union([z.number().int(), z.tuple([z.number().int()])]);

export function encodeDeltas(values: readonly number[], start = 0): DeltaInt[] {
  let prev = start;
  return values.map((v) => {
    const d = v - prev;
    const out: DeltaInt = Number.isSafeInteger(d) && prev + d === v ? d : [v];
    prev = v;
    return out;
  });
}

export function decodeDeltas(deltas: readonly DeltaInt[], start = 0): number[] {
  let prev = start;
  return deltas.map((d) => {
    prev = typeof d === "number" ? prev + d : d[0];
    return prev;
  });
}

/** Distinct strings in first-seen order; columns hold indexes into it (null stays null). */
export class StringTable {
  readonly strings: string[] = [];
  #index = new Map<string, number>();

  ref(value: string): number {
    let i = this.#index.get(value);
    if (i === undefined) {
      i = this.strings.length;
      this.strings.push(value);
      this.#index.set(value, i);
    }
    return i;
  }

  refNullable(value: string | null): number | null {
    return value === null ? null : this.ref(value);
  }
}

export const stringRefsSchema = z.array(z.number().int().nonnegative());
export const nullableStringRefsSchema = z.array(z.number().int().nonnegative().nullable());

/** Thrown while rebuilding rows; decode-batch maps it to WireError("invalid_batch"). */
export class ColumnError extends Error {
  override name = "ColumnError";
}

export function lookup(strings: readonly string[], ref: number, column: string): string {
  const value = strings[ref];
  if (value === undefined) throw new ColumnError(`${column}: string index ${ref} out of range`);
  return value;
}

export function lookupNullable(
  strings: readonly string[],
  ref: number | null,
  column: string,
): string | null {
  return ref === null ? null : lookup(strings, ref, column);
}

/**
 * A coordinate column: positions as deltas in integer units of 1e-7 degrees (about 1 cm), which is
 * what GPS receivers and WiGLE write, so consecutive sightings tagged with the same fix cost one `0`.
 * A value that is not exactly `units / 1e7` as a double (e.g. converted from NMEA minutes, or gpsd's
 * 9 decimals) travels verbatim in `exact` as `[row, value]`; its `e7` slot holds 0 and does not move
 * the delta base. So the column is lossless (JSON has no -0: a negative zero arrives as 0).
 */
export interface CoordColumn {
  e7: Array<number | null>;
  exact: Array<[number, number]>;
}

export const coordColumnSchema = z.object({
  e7: z.array(z.number().int().nullable()),
  exact: z.array(z.tuple([z.number().int().nonnegative(), z.number()])),
});

const SCALE = 1e7;

export function encodeCoords(values: ReadonlyArray<number | null>): CoordColumn {
  const column: CoordColumn = { e7: [], exact: [] };
  let prev = 0;
  values.forEach((value, row) => {
    if (value === null) {
      column.e7.push(null);
      return;
    }
    const units = Math.round(value * SCALE);
    if (Number.isSafeInteger(units) && units / SCALE === value) {
      column.e7.push(units - prev);
      prev = units;
    } else {
      column.e7.push(0);
      column.exact.push([row, value]);
    }
  });
  return column;
}

export function decodeCoords(column: CoordColumn, name: string): Array<number | null> {
  const exact = new Map<number, number>();
  for (const [row, value] of column.exact) {
    if (row >= column.e7.length) throw new ColumnError(`${name}: exact row ${row} out of range`);
    exact.set(row, value);
  }
  let prev = 0;
  return column.e7.map((d, row) => {
    const verbatim = exact.get(row);
    if (verbatim !== undefined) return verbatim;
    if (d === null) return null;
    prev += d;
    return prev / SCALE;
  });
}
