import type { ParseContext, SourceEvent } from "../../events/source-event.js";
import { xmlEventBatches } from "../files/xml-events.js";
import { type NetworkDraft, type NetxmlOptions, readNetwork, type SsidBlock } from "./netxml-network.js";
import { recordEvents } from "./scan-record.js";

export type { NetxmlOptions } from "./netxml-network.js";

/** Elements of a network (outside its clients) whose text we keep; everything else is skipped. */
const KEPT = new Set([
  ..."BSSID channel freqmhz max_signal_dbm last_signal_dbm type encryption wpa-version essid".split(" "),
  ...["peak-lat", "peak-lon", "peak-alt", "avg-lat", "avg-lon", "avg-alt"],
]);
/** Longest text kept per element: an SSID is 32 bytes, so anything near this is garbage. */
const MAX_TEXT = 4096;

export function looksLikeKismetNetxml(head: string): boolean {
  return /<detection-run[\s>]/.test(head) || /<!DOCTYPE detection-run/.test(head);
}

/**
 * Kismet classic `.netxml`: one record per `<wireless-network>`. Infrastructure, ad-hoc and data networks
 * become one `wifi` observation each (last-time as the sighting, max_signal_dbm, the peak GPS point when
 * there is one); probe-only "networks" (a client's probe requests, no AP) are refused as `probe_only`.
 * `<wireless-client>` children are stations, not networks: they are skipped (not records) and counted in
 * the closing metadata event. A network cut off by the end of the file is refused as `truncated`; one
 * with an XML error inside as `malformed_xml`.
 */
export async function* parseKismetNetxml(
  chunks: AsyncIterable<string | Uint8Array>,
  ctx: ParseContext,
  options: NetxmlOptions = {},
): AsyncGenerator<SourceEvent> {
  let draft: NetworkDraft | null = null;
  let clientDepth = 0;
  let clients = 0;
  let ssid: SsidBlock | null = null;
  let capture: { name: string; text: string } | null = null;
  let essidCloaked = false;

  for await (const batch of xmlEventBatches(chunks)) {
    for (const event of batch) {
      if (event.kind === "error") {
        if (draft && !draft.damaged) draft.damaged = `line ${event.line}: ${event.message.slice(0, 80)}`;
        continue;
      }
      if (event.kind === "text") {
        if (capture && capture.text.length < MAX_TEXT) capture.text += event.text;
        continue;
      }
      const { name } = event;
      if (event.kind === "open") {
        if (name === "detection-run" && !draft) {
          const a = event.attributes;
          yield {
            type: "metadata",
            metadata: {
              format: "netxml",
              kismetVersion: a["kismet-version"] ?? "",
              startTime: a["start-time"] ?? "",
            },
          };
        } else if (name === "wireless-network" && !draft) {
          ssid = null;
          capture = null;
          draft = {
            line: event.line,
            attributes: event.attributes,
            values: new Map(),
            ssids: [],
            damaged: null,
          };
        } else if (draft && name === "wireless-client") {
          clientDepth++;
          clients++;
        } else if (draft && clientDepth === 0) {
          if (name === "SSID") ssid = { type: "", encryption: [], wpaVersion: "", essid: "", cloaked: false };
          if (name === "essid") essidCloaked = event.attributes.cloaked === "true";
          if (KEPT.has(name)) capture = { name, text: "" };
        }
        continue;
      }
      // close
      if (draft && name === "wireless-client") {
        clientDepth = Math.max(0, clientDepth - 1);
      } else if (draft && name === "wireless-network" && clientDepth === 0) {
        const done: NetworkDraft = draft;
        draft = null;
        yield* recordEvents(done.line, () => readNetwork(done, ctx, options));
      } else if (draft && clientDepth === 0) {
        if (capture && capture.name === name) {
          const text = capture.text.trim();
          if (ssid && name === "type") ssid.type = text;
          else if (ssid && name === "encryption") ssid.encryption.push(text);
          else if (ssid && name === "wpa-version") ssid.wpaVersion = text;
          else if (ssid && name === "essid")
            Object.assign(ssid, { essid: capture.text, cloaked: essidCloaked });
          else if (!ssid) draft.values.set(name, [...(draft.values.get(name) ?? []), text]);
          capture = null;
        }
        if (name === "SSID" && ssid) {
          draft.ssids.push(ssid);
          ssid = null;
        }
      }
    }
  }
  if (draft) {
    yield { type: "record" };
    yield { type: "reject", reason: "truncated", line: draft.line };
  }
  yield { type: "metadata", metadata: { format: "netxml", clientsSkipped: String(clients) } };
}
