import { writeFileSync } from "node:fs";
import { readFixture } from "./fixtures.js";

/**
 * Writes a WiGLE 1.6 CSV of `rows` rows: the real Bruce fixture rows in turn, each with its own MAC
 * (02:00:00 plus the row number) and its own second from 2025-01-01, so every row is a distinct sighting.
 */
export function writeWigleFile(path: string, rows: number): void {
  const [preHeader, header, ...data] = readFixture("wigle-csv/bruce-m5stack-cardputer_wifi+ble_1.6.csv")
    .split("\n")
    .filter((line) => line !== "");
  const lines = [preHeader, header];
  for (let i = 0; i < rows; i++) {
    const fields = (data[i % data.length] ?? "").split(",");
    const mac = `02:00:00:${[16, 8, 0].map((s) => ((i >> s) & 0xff).toString(16).padStart(2, "0")).join(":")}`;
    const seen = new Date(Date.UTC(2025, 0, 1) + i * 1000).toISOString().slice(0, 19).replace("T", " ");
    // FirstSeen is the 4th of 14 columns; counted from the end, past the SSID (which may hold a comma).
    fields[0] = mac;
    fields[fields.length - 11] = seen;
    lines.push(fields.join(","));
  }
  writeFileSync(path, `${lines.join("\n")}\n`);
}
