import type { Client, InStatement } from "@libsql/client";
import { type Alert, networkAlerts } from "../alerts/alert-store.js";
import { exactText, nulSafeBytes } from "../db/nul-safe-text.js";
import { NotFoundError } from "../errors.js";
import { iso, NETWORK_COLUMNS, type NetworkView, toNetworkView } from "./network-view.js";

/** GET /v1/networks/{mac} as a service: the network, its SSID history and the devices that saw it. */
export interface NetworkDetail {
  network: NetworkView;
  ssidHistory: {
    ssid: string | null;
    authMode: string | null;
    channel: number | null;
    firstSeen: string;
    lastSeen: string;
    count: number;
  }[];
  devices: {
    deviceId: string;
    name: string | null;
    firstSeen: string;
    lastSeen: string;
    observations: number;
  }[];
  /** Its alerts, newest first (at most 100). */
  alerts: Alert[];
}

/** The detail's three reads (one read transaction); exported for the hot-statement plan checks. */
export function networkDetailStatements(mac: string): [InStatement, InStatement, InStatement] {
  return [
    { sql: `SELECT ${NETWORK_COLUMNS} FROM networks WHERE mac = ?`, args: [mac] },
    {
      sql: `SELECT ssid, ${nulSafeBytes("ssid")}, auth_mode, channel, first_seen, last_seen, count FROM ssid_history WHERE mac = ?
          ORDER BY last_seen DESC, first_seen DESC`,
      args: [mac],
    },
    {
      sql: `SELECT nd.device_id, d.name, nd.first_seen, nd.last_seen, nd.observations FROM network_devices nd
          LEFT JOIN devices d ON d.id = nd.device_id WHERE nd.mac = ? ORDER BY nd.last_seen DESC, nd.device_id`,
      args: [mac],
    },
  ];
}

export async function getNetworkDetail(db: Client, mac: string): Promise<NetworkDetail> {
  const [net, ssids, devices] = await db.batch(networkDetailStatements(mac), "read");
  const row = net?.rows[0];
  if (row === undefined) throw new NotFoundError(`no network ${mac}`);
  return {
    network: toNetworkView(row),
    ssidHistory: (ssids?.rows ?? []).map((r) => ({
      ssid: r.ssid === "" ? null : exactText(r.ssid, r.ssid_bytes),
      authMode: r.auth_mode === "" ? null : String(r.auth_mode),
      channel: Number(r.channel) < 0 ? null : Number(r.channel),
      firstSeen: iso(r.first_seen),
      lastSeen: iso(r.last_seen),
      count: Number(r.count),
    })),
    devices: (devices?.rows ?? []).map((r) => ({
      deviceId: String(r.device_id),
      name: r.name === null ? null : String(r.name),
      firstSeen: iso(r.first_seen),
      lastSeen: iso(r.last_seen),
      observations: Number(r.observations),
    })),
    alerts: await networkAlerts(db, mac),
  };
}
