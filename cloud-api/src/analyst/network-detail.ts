import type { Client, InStatement } from "@libsql/client";
import { type Alert, networkAlerts } from "../alerts/alert-store.js";
import { NotFoundError } from "../errors.js";
import {
  iso,
  type NetworkView,
  networkJsonPage,
  networkViewFromCells,
  parseNetworkJsonPage,
} from "./network-view.js";

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

/**
 * The detail as ONE statement (one snapshot, one round trip): the network as a JSON row
 * (networkJsonPage), its SSID history and its devices as JSON arrays, and whether it has alerts (read
 * only then: most networks have none). Exported for the hot-statement plan checks.
 */
export function networkDetailStatement(mac: string): InStatement {
  return {
    sql: `SELECT (${networkJsonPage("SELECT * FROM networks WHERE mac = :mac")}) AS network,
  (SELECT json_group_array(json_array(ssid, auth_mode, channel, first_seen, last_seen, count)) FROM
    (SELECT * FROM ssid_history WHERE mac = :mac ORDER BY last_seen DESC, first_seen DESC)) AS ssids,
  (SELECT json_group_array(json_array(device_id, name, first_seen, last_seen, observations)) FROM
    (SELECT nd.device_id, d.name, nd.first_seen, nd.last_seen, nd.observations FROM network_devices nd
      LEFT JOIN devices d ON d.id = nd.device_id WHERE nd.mac = :mac ORDER BY nd.last_seen DESC, nd.device_id)) AS devices,
  EXISTS (SELECT 1 FROM alerts WHERE subject_kind = 'network' AND subject_id = :mac) AS alerted`,
    args: { mac },
  };
}

type Cell = string | number | null;

export async function getNetworkDetail(db: Client, mac: string): Promise<NetworkDetail> {
  const row = (await db.execute(networkDetailStatement(mac))).rows[0];
  const network = parseNetworkJsonPage(row?.network)[0];
  if (row === undefined || network === undefined) throw new NotFoundError(`no network ${mac}`);
  const ssids = JSON.parse(String(row.ssids)) as Cell[][];
  const devices = JSON.parse(String(row.devices)) as Cell[][];
  return {
    network: networkViewFromCells(network),
    // ssid_history keys hold '' and -1 for "none" (they are in its primary key).
    ssidHistory: ssids.map(([ssid, authMode, channel, firstSeen, lastSeen, count]) => ({
      ssid: ssid === "" || ssid === null ? null : String(ssid),
      authMode: authMode === "" || authMode === null ? null : String(authMode),
      channel: Number(channel) < 0 ? null : Number(channel),
      firstSeen: iso(firstSeen),
      lastSeen: iso(lastSeen),
      count: Number(count),
    })),
    devices: devices.map(([deviceId, name, firstSeen, lastSeen, observations]) => ({
      deviceId: String(deviceId),
      name: name === null ? null : String(name),
      firstSeen: iso(firstSeen),
      lastSeen: iso(lastSeen),
      observations: Number(observations),
    })),
    alerts: Number(row.alerted) === 1 ? await networkAlerts(db, mac) : [],
  };
}
