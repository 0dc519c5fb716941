import { createRequire } from "node:module";

/*
 * Offline vendor lookup from the IEEE registries as packaged by `oui-data` (BSD-2): keys are the upper-case
 * hex prefix of an MA-L (6 digits), MA-M (7) or MA-S (9) block, values the registrant's name on their
 * first line. The longest matching prefix wins, so an MA-S block inside a vendor's MA-L range names the
 * sub-assignee. The 5.6 MB JSON is parsed once, on first use (the merge worker's first batch).
 */

let registry: Map<string, string> | undefined;

function load(): Map<string, string> {
  if (registry === undefined) {
    const raw = createRequire(import.meta.url)("oui-data") as Record<string, string>;
    registry = new Map();
    for (const [prefix, value] of Object.entries(raw)) {
      const name = value.split("\n", 1)[0]?.trim();
      if (name) registry.set(prefix, name);
    }
  }
  return registry;
}

/** Whether a MAC is locally administered (bit 1 of the first octet), as randomized client MACs are. */
export function isLocallyAdministered(mac: string): boolean {
  const first = Number.parseInt(mac.replace(/[^0-9a-fA-F]/g, "").slice(0, 2), 16);
  return Number.isFinite(first) && (first & 0x02) !== 0;
}

/** The registrant of a MAC's block, or null (unknown, not a MAC, or locally administered). */
export function vendorOf(mac: string): string | null {
  const hex = mac.replace(/[^0-9a-fA-F]/g, "").toUpperCase();
  if (hex.length !== 12 || isLocallyAdministered(hex)) return null;
  const table = load();
  return table.get(hex.slice(0, 9)) ?? table.get(hex.slice(0, 7)) ?? table.get(hex.slice(0, 6)) ?? null;
}
