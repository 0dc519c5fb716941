import type { ObservationRecord } from "@piwardrive/shared-schema/domain";
import { rssiWeight } from "@piwardrive/shared-schema/domain";

/** One batch's contribution to a `networks` row, merged into the stored row by an upsert. */
export interface NetworkRollup {
  mac: string;
  kind: string;
  ssid: string | null;
  authMode: string | null;
  channel: number | null;
  frequencyMhz: number | null;
  firstSeen: number;
  lastSeen: number;
  count: number;
  bestRssi: number | null;
  bestLat: number | null;
  bestLon: number | null;
  weightSum: number;
  weightedLatSum: number;
  weightedLonSum: number;
  /** Sum and count of the RSSIs reported: their mean is the network's mean signal. */
  rssiSum: number;
  rssiCount: number;
}

/**
 * Folds a batch of sightings into one rollup per transmitter: the latest non-empty name, auth and channel,
 * the strongest signal and where it was heard, and the RSSI-weighted position sums.
 */
export function rollUpNetworks(batch: readonly ObservationRecord[]): NetworkRollup[] {
  const byMac = new Map<string, NetworkRollup>();
  for (const o of batch) {
    let n = byMac.get(o.mac);
    if (n === undefined) {
      n = {
        mac: o.mac,
        kind: o.kind,
        ssid: o.ssid,
        authMode: o.authMode,
        channel: o.channel,
        frequencyMhz: o.frequencyMhz,
        firstSeen: o.seenAt,
        lastSeen: o.seenAt,
        count: 0,
        bestRssi: null,
        bestLat: null,
        bestLon: null,
        weightSum: 0,
        weightedLatSum: 0,
        weightedLonSum: 0,
        rssiSum: 0,
        rssiCount: 0,
      };
      byMac.set(o.mac, n);
    } else {
      if (o.seenAt >= n.lastSeen) {
        n.lastSeen = o.seenAt;
        if (o.ssid !== null) n.ssid = o.ssid;
        if (o.authMode !== null) n.authMode = o.authMode;
        if (o.channel !== null) n.channel = o.channel;
        if (o.frequencyMhz !== null) n.frequencyMhz = o.frequencyMhz;
      } else if (n.ssid === null && o.ssid !== null) {
        n.ssid = o.ssid;
      }
      if (o.seenAt < n.firstSeen) n.firstSeen = o.seenAt;
    }
    n.count += 1;
    if (o.rssiDbm !== null) {
      n.rssiSum += o.rssiDbm;
      n.rssiCount += 1;
      if (n.bestRssi === null || o.rssiDbm > n.bestRssi) {
        n.bestRssi = o.rssiDbm;
        n.bestLat = o.lat;
        n.bestLon = o.lon;
      }
    }
    if (o.lat !== null && o.lon !== null) {
      const w = rssiWeight(o.rssiDbm);
      n.weightSum += w;
      n.weightedLatSum += w * o.lat;
      n.weightedLonSum += w * o.lon;
    }
  }
  return [...byMac.values()];
}
