import type { Client } from "@libsql/client";
import { htmlPage, table } from "./html-page.js";
import { isoDay, isoTime, type ReportWindow } from "./report-window.js";
import { barChart, heatGrid } from "./svg-chart.js";

const DAY = 86_400_000;
const GRID = 40;

export async function coverageData(db: Client, w: ReportWindow) {
  const args = [w.since, w.until];
  const q = async (sql: string) => (await db.execute({ sql, args })).rows;
  const perDay = await q(`SELECT (seen_at / ${DAY}) * ${DAY} AS day, count(*) AS n FROM observations
    WHERE seen_at >= ? AND seen_at < ? GROUP BY day ORDER BY day`);
  const newPerDay = await q(`SELECT (first_seen / ${DAY}) * ${DAY} AS day, count(*) AS n FROM networks
    WHERE first_seen >= ? AND first_seen < ? GROUP BY day ORDER BY day`);
  const perDevice = await q(`SELECT o.device_id, d.name, count(*) AS n, count(DISTINCT o.mac) AS transmitters
    FROM observations o LEFT JOIN devices d ON d.id = o.device_id
    WHERE o.seen_at >= ? AND o.seen_at < ? GROUP BY o.device_id ORDER BY n DESC`);
  const box = (
    await q(`SELECT min(lat) AS s, max(lat) AS n, min(lon) AS w, max(lon) AS e, count(*) AS located
    FROM observations WHERE seen_at >= ? AND seen_at < ? AND lat IS NOT NULL AND lon IS NOT NULL`)
  )[0];
  const top = await q(`SELECT mac, ssid, count(*) AS n FROM observations WHERE seen_at >= ? AND seen_at < ?
    GROUP BY mac ORDER BY n DESC, mac LIMIT 20`);
  const bbox =
    box === undefined || box.s === null
      ? null
      : { south: Number(box.s), north: Number(box.n), west: Number(box.w), east: Number(box.e) };
  const grid: number[][] = Array.from({ length: GRID }, () => Array(GRID).fill(0));
  const cellsUsed = new Set<string>();
  if (bbox !== null) {
    const cells = await q(
      `SELECT lat, lon FROM observations WHERE seen_at >= ? AND seen_at < ? AND lat IS NOT NULL AND lon IS NOT NULL`,
    );
    const dLat = bbox.north - bbox.south || 1e-9;
    const dLon = bbox.east - bbox.west || 1e-9;
    for (const c of cells) {
      const row = Math.min(GRID - 1, Math.floor(((bbox.north - Number(c.lat)) / dLat) * GRID));
      const col = Math.min(GRID - 1, Math.floor(((Number(c.lon) - bbox.west) / dLon) * GRID));
      grid[row]![col]! += 1;
      cellsUsed.add(`${row},${col}`);
    }
  }
  // Area of the box in km² (equirectangular: fine at wardriving scales), and the share of grid cells with a sighting.
  const areaKm2 =
    bbox === null
      ? 0
      : (bbox.north - bbox.south) *
        111.32 *
        (bbox.east - bbox.west) *
        111.32 *
        Math.cos((((bbox.north + bbox.south) / 2) * Math.PI) / 180);
  return {
    sightingsPerDay: perDay.map((r) => ({ day: Number(r.day), sightings: Number(r.n) })),
    newTransmittersPerDay: newPerDay.map((r) => ({ day: Number(r.day), transmitters: Number(r.n) })),
    perDevice: perDevice.map((r) => ({
      deviceId: String(r.device_id),
      name: r.name === null ? null : String(r.name),
      sightings: Number(r.n),
      transmitters: Number(r.transmitters),
    })),
    area: {
      bbox,
      areaKm2: Math.round(areaKm2 * 1000) / 1000,
      cellsCoveredPct: Math.round((cellsUsed.size / (GRID * GRID)) * 1000) / 10,
    },
    grid,
    topTransmitters: top.map((r) => ({
      mac: String(r.mac),
      ssid: r.ssid === null ? null : String(r.ssid),
      sightings: Number(r.n),
    })),
  };
}

export function coverageHtml(data: Awaited<ReturnType<typeof coverageData>>, w: ReportWindow): string {
  const b = data.area.bbox;
  return htmlPage("Coverage report", `${isoTime(w.since)} to ${isoTime(w.until)} UTC`, [
    {
      heading: "Sightings per day",
      html: barChart(
        "sightings per day",
        data.sightingsPerDay.map((d) => ({ label: isoDay(d.day), value: d.sightings })),
      ),
    },
    {
      heading: "New transmitters per day",
      html: barChart(
        "new transmitters per day",
        data.newTransmittersPerDay.map((d) => ({ label: isoDay(d.day), value: d.transmitters })),
      ),
    },
    {
      heading: "Per device",
      html: table(
        ["device", "id", "sightings", "transmitters"],
        data.perDevice.map((d) => [d.name, d.deviceId, d.sightings, d.transmitters]),
      ),
    },
    {
      heading: "Area covered",
      html:
        `<p>${b === null ? "No located sightings." : `Box ${b.south.toFixed(5)}..${b.north.toFixed(5)} N, ${b.west.toFixed(5)}..${b.east.toFixed(5)} E: ${data.area.areaKm2} km², ${data.area.cellsCoveredPct} % of a ${GRID}x${GRID} grid with sightings.`}</p>` +
        heatGrid("sightings heatmap (north up)", data.grid),
    },
    {
      heading: "Most seen transmitters",
      html: table(
        ["MAC", "SSID", "sightings"],
        data.topTransmitters.map((t) => [t.mac, t.ssid, t.sightings]),
      ),
    },
  ]);
}
