import type { DeviceView } from "./device-view.js";

/*
 * `piwardrive-cloud devices list` as a terminal table: the columns of GET /v1/devices. Device names come
 * from whoever registered the device: control, bidi and separator characters are shown as `[U+XXXX]` so a
 * name cannot move the cursor, recolour the terminal or reorder its row.
 */

const UNSAFE = /[\u0000-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069]/g;
const terminalText = (text: string) =>
  text.replace(UNSAFE, (c) => `[U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}]`);

const HEADER = [
  "device",
  "id",
  "state",
  "last contact (UTC)",
  "last batch (UTC)",
  "sightings",
  "backlog",
  "agent",
  "soc °C",
  "disk free MB",
  "rss MB",
  "guards",
  "position",
];

const time = (iso: string | null) => (iso === null ? "never" : iso.slice(0, 19).replace("T", " "));
const num = (v: number | null, digits = 0) => (v === null ? "-" : v.toFixed(digits));

function guards(d: DeviceView): string {
  const g = d.health?.guards;
  if (g === undefined || g === null) return "-";
  const on = [
    g.memory !== "none" ? `memory:${g.memory}` : null,
    g.diskBelowFloor ? "disk" : null,
    g.hot ? "hot" : null,
    g.lagging ? "lag" : null,
  ].filter((x) => x !== null);
  return on.length === 0 ? "ok" : on.join(",");
}

export function deviceRow(d: DeviceView): string[] {
  return [
    terminalText(d.name),
    d.id,
    d.revoked ? "revoked" : d.stale ? "STALE" : "active",
    time(d.lastContactAt),
    time(d.lastBatchAt),
    String(d.observations),
    num(d.backlog),
    terminalText(d.agentVersion ?? "-"),
    num(d.health?.socTempC ?? null, 1),
    num(d.health?.diskFreeMb ?? null),
    num(d.health?.rssMb ?? null, 1),
    guards(d),
    d.lastPosition === null ? "-" : `${d.lastPosition.lat.toFixed(5)},${d.lastPosition.lon.toFixed(5)}`,
  ];
}

/** Left-aligned columns padded to their widest cell, two spaces apart. */
export function deviceTable(devices: readonly DeviceView[]): string {
  const rows = [HEADER, ...devices.map(deviceRow)];
  const widths = HEADER.map((_, i) => Math.max(...rows.map((r) => [...(r[i] ?? "")].length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => cell + " ".repeat((widths[i] ?? 0) - [...cell].length))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}
