import { readFileSync } from "node:fs";
import { resolve } from "node:path";

/** ../shared/fixtures beside the repository (real tool output; never edited, never shipped). */
export const fixturesDir = resolve(import.meta.dirname, "../../../../shared/fixtures");

export function fixturePath(relative: string): string {
  return resolve(fixturesDir, relative);
}

export function readFixture(relative: string): string {
  return readFileSync(fixturePath(relative), "utf8");
}
