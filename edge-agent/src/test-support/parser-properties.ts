import { readdirSync } from "node:fs";
import type { ObservationRecord } from "@piwardrive/shared-schema/domain";
import fc from "fast-check";
import type { ParseContext, SourceEvent } from "../events/source-event.js";
import { fixturesDir } from "./fixtures.js";

/** Every fixture as `folder/file`, for sniffer tests that must claim their own files and no others. */
export function allFixtureFiles(): string[] {
  return readdirSync(fixturesDir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name !== "PROVENANCE.md")
    .map((entry) => `${entry.parentPath.slice(fixturesDir.length + 1)}/${entry.name}`);
}

/** A fixed, plausible capture time so `seenAt` values are exact in assertions. */
export const testContext: ParseContext = {
  capturedAt: Date.UTC(2024, 5, 1, 12, 0, 0),
  now: Date.UTC(2024, 5, 1, 12, 0, 5),
};

export interface ParseSummary {
  records: number;
  observations: ObservationRecord[];
  rejects: { reason: string; line?: number; detail?: string }[];
}

export function summarize(events: Iterable<SourceEvent>): ParseSummary {
  const summary: ParseSummary = { records: 0, observations: [], rejects: [] };
  for (const event of events) {
    if (event.type === "record") summary.records++;
    else if (event.type === "observation") summary.observations.push(event.observation);
    else if (event.type === "reject") summary.rejects.push(event);
  }
  return summary;
}

/**
 * The event contract: each `record` is followed by exactly one observation or reject, and no
 * observation or reject comes without its record.
 */
export function expectRecordPairs(events: readonly SourceEvent[]): void {
  for (const [index, event] of events.entries()) {
    const next = events[index + 1]?.type;
    if (event.type === "record" && next !== "observation" && next !== "reject") {
      throw new Error(`record at event ${index} is followed by ${next ?? "nothing"}`);
    }
    if ((event.type === "observation" || event.type === "reject") && events[index - 1]?.type !== "record") {
      throw new Error(`${event.type} at event ${index} has no record before it`);
    }
  }
}

/** Text mangled the way partial captures and bad copies mangle it: lines lost, doubled, cut, bytes spliced in. */
export function mutatedText(original: string): fc.Arbitrary<string> {
  const lines = original.split("\n");
  const edit = fc.oneof(
    fc.record({ kind: fc.constant("delete" as const), at: fc.nat() }),
    fc.record({ kind: fc.constant("duplicate" as const), at: fc.nat() }),
    fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
    fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), text: noisyText() }),
  );
  return fc.array(edit, { minLength: 1, maxLength: 12 }).map((edits) => {
    const out = [...lines];
    for (const e of edits) {
      const i = out.length === 0 ? 0 : e.at % out.length;
      if (e.kind === "delete") out.splice(i, 1);
      else if (e.kind === "duplicate") out.splice(i, 0, out[i] ?? "");
      else if (e.kind === "truncate") out[i] = (out[i] ?? "").slice(0, e.at % ((out[i]?.length ?? 0) + 1));
      else {
        const line = out[i] ?? "";
        const at = e.at % (line.length + 1);
        out[i] = line.slice(0, at) + e.text + line.slice(at);
      }
    }
    return out.join("\n");
  });
}

function noisyText(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string({ maxLength: 8 }),
    fc.string({ unit: "binary", maxLength: 8 }),
    fc.constantFrom(
      "\u0000",
      "\r",
      "\n",
      "\\x00",
      "\\:",
      "'",
      '"',
      "  ",
      "\t",
      "-",
      ":",
      "(on wlan0)",
      "dBm",
    ),
  );
}

/** SSIDs / names that must reach the observation unchanged: escaping is each output format's job. */
export const HOSTILE_NAMES = [
  "<script>alert(1)</script>",
  'Bob\'s "AP"',
  "a,b,,c",
  "=cmd|' /C calc'!A0",
  "@SUM(1+1)",
  "semi;colon",
  "back\\slash",
] as const;
