/** What the fleet view and the fleet alerts call stale, hot and low on disk (env: see env.ts). */
export interface FleetThresholds {
  /** How long device_health and device_tracks keep rows. */
  healthRetentionMs: number;
  /** No contact for longer than this: stale. */
  staleAfterMs: number;
  /** SoC temperature from which a device is hot; it cools again HOT_CLEAR_MARGIN_C below. */
  hotC: number;
  /** Free disk below which a device is low on disk; it recovers LOW_DISK_CLEAR_FACTOR above. */
  lowDiskMb: number;
  /** Period of the {fleet} job. */
  checkEveryMs: number;
}

export const DEFAULT_FLEET_THRESHOLDS: FleetThresholds = {
  healthRetentionMs: 14 * 86_400_000,
  staleAfterMs: 60 * 60_000,
  // The Pi firmware soft-throttles at 80 °C (85 °C hard).
  hotC: 80,
  lowDiskMb: 500,
  checkEveryMs: 60_000,
};

/** Hysteresis, so a reading that hovers at a threshold does not open a new alert every minute. */
export const HOT_CLEAR_MARGIN_C = 5;
export const LOW_DISK_CLEAR_FACTOR = 1.2;
