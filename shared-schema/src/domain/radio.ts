/** Wi-Fi channel for a centre frequency in MHz (2.4, 5 and 6 GHz bands), or null when it is not one. */
export function frequencyToChannel(mhz: number): number | null {
  // Off-grid values (2413, 2412.5, NaN) are not channel centres: no fractional channel numbers.
  if (!Number.isInteger(mhz)) return null;
  if (mhz === 2484) return 14;
  if (mhz === 5935) return 2;
  const channel = offsetChannel(mhz);
  return channel !== null && Number.isInteger(channel) ? channel : null;
}

function offsetChannel(mhz: number): number | null {
  if (mhz >= 2412 && mhz <= 2472) return (mhz - 2407) / 5;
  if (mhz >= 5955 && mhz <= 7115) return (mhz - 5950) / 5;
  if (mhz >= 5160 && mhz <= 5885) return (mhz - 5000) / 5;
  if (mhz >= 4915 && mhz <= 4980) return (mhz - 4000) / 5;
  return null;
}

export type Band = "2.4GHz" | "5GHz" | "6GHz";

export function frequencyToBand(mhz: number): Band | null {
  if (mhz >= 2400 && mhz < 2500) return "2.4GHz";
  if (mhz >= 4900 && mhz < 5925) return "5GHz";
  if (mhz >= 5925 && mhz <= 7125) return "6GHz";
  return null;
}

/** Centre frequency for a channel; channels 1-14 are 2.4 GHz, 32-177 are 5 GHz. 6 GHz needs the band. */
export function channelToFrequency(channel: number, band?: Band): number | null {
  if (!Number.isInteger(channel) || channel <= 0) return null;
  if (band === "6GHz") return channel <= 233 ? 5950 + 5 * channel : null;
  if (channel === 14) return 2484;
  if (channel >= 1 && channel <= 13) return 2407 + 5 * channel;
  if (channel >= 32 && channel <= 177) return 5000 + 5 * channel;
  return null;
}

/**
 * Converts a quality ratio (`56/100`, `34/70`) to an estimated dBm on the usual linear map
 * (0% = -100 dBm, 100% = -50 dBm, as NetworkManager does in reverse). Callers mark it as an estimate.
 */
export function qualityToDbm(quality: number, max: number): number | null {
  if (!(max > 0) || !(quality >= 0) || quality > max) return null;
  return Math.round((quality / max) * 50 - 100);
}

/** Linear weight of a sighting for the RSSI-weighted centroid: received power in mW (10^(dBm/10)). */
export function rssiWeight(rssiDbm: number | null | undefined): number {
  const dbm = rssiDbm ?? -100;
  const clamped = Math.min(0, Math.max(-120, dbm));
  return 10 ** (clamped / 10);
}
