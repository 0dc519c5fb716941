import type { ParseContext, SourceEvent } from "../../events/source-event.js";
import { type ReadProgress, readWholeText } from "../files/file-input.js";
import { parseKismetDevice } from "./parse-kismet-device.js";

/**
 * Largest Kismet JSON file read. JSON.parse builds the whole document, several times the text in memory,
 * so this stays well under the whole-text limit; a drive's worth of devices belongs in the .kismet log.
 */
export const MAX_KISMET_JSON_BYTES = 16 * 1024 * 1024;

export function looksLikeKismetJson(head: string): boolean {
  return /^\uFEFF?\s*[[{]/.test(head) && /"kismet\.device\.base\.[a-z_.]+"\s*:/.test(head);
}

/**
 * Kismet device records as JSON: one record (a `devices.device` value written out), an array of them
 * (`kismetdb_dump_devices`, the REST `/devices/...json` lists), or one per line (the REST `ekjson` form).
 * Each device is one record through parseKismetDevice; a line that is not JSON is refused as `bad_json`.
 */
export async function* readKismetJson(
  path: string,
  ctx: ParseContext,
  progress?: ReadProgress,
): AsyncGenerator<SourceEvent> {
  const text = (await readWholeText(path, MAX_KISMET_JSON_BYTES, progress)).replace(/^\uFEFF/, "");
  const whole = parseOrUndefined(text);
  if (whole !== undefined) {
    const devices: unknown[] = Array.isArray(whole) ? whole : [whole];
    for (const [index, device] of devices.entries()) yield* parseKismetDevice(device, ctx, index + 1);
    return;
  }
  for (const [index, line] of text.split(/\r?\n/).entries()) {
    if (line.trim() === "") continue;
    const device = parseOrUndefined(line);
    if (device === undefined) {
      yield { type: "record" };
      yield { type: "reject", reason: "bad_json", line: index + 1, detail: line.slice(0, 40) };
    } else {
      yield* parseKismetDevice(device, ctx, index + 1);
    }
  }
}

function parseOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
