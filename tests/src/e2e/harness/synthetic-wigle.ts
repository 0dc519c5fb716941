/**
 * A WiGLE 1.4 CSV of `rows` plausible Wi-Fi sightings over `distinct` transmitters, so the real import path
 * (parser, GPS tagging, BatchedWriter) fills the edge outbox. `tag` makes each file's content (and so its
 * import hash and MACs) distinct.
 */
export function syntheticWigleCsv(
  rows: number,
  options: { tag?: number; distinct?: number; start?: Date } = {},
) {
  const tag = options.tag ?? 0;
  const distinct = options.distinct ?? 500;
  const start = (options.start ?? new Date("2025-06-01T10:00:00Z")).getTime();
  const lines = [
    "WigleWifi-1.4,appRelease=2.25,model=e2e,release=1,device=e2e,display=e2e,board=e2e,brand=e2e",
    "MAC,SSID,AuthMode,FirstSeen,Channel,RSSI,CurrentLatitude,CurrentLongitude,AltitudeMeters,AccuracyMeters,Type",
  ];
  const hex = (n: number) => (n & 0xff).toString(16).padStart(2, "0");
  for (let i = 0; i < rows; i++) {
    const n = i % distinct;
    const mac = `02:${hex(tag)}:${hex(n >> 16)}:${hex(n >> 8)}:${hex(n)}:${hex(tag >> 8)}`;
    const at = new Date(start + i * 250).toISOString().replace("T", " ").slice(0, 19);
    const lat = (52.5 + (i % 1000) * 1e-5).toFixed(7);
    const lon = (13.4 + (i % 997) * 1e-5).toFixed(7);
    const channel = 1 + (n % 11);
    lines.push(
      `${mac},net-${tag}-${n},[WPA2-PSK-CCMP][ESS],${at},${channel},${-40 - (i % 50)},${lat},${lon},35,8,WIFI`,
    );
  }
  return `${lines.join("\n")}\n`;
}
