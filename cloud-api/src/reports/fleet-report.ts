import type { Client } from "@libsql/client";
import { htmlPage, table } from "./html-page.js";
import { isoDay, isoTime, type ReportWindow } from "./report-window.js";
import { lineChart } from "./svg-chart.js";

/** A device not heard from for this long before the window's end is stale. */
export const STALE_AFTER_MS = 24 * 3_600_000;
const DAY = 86_400_000;

/** Health figures charted per device: the column, its label, and how a bucket sums its samples up. */
const HEALTH_FIGURES = [
  ["soc_temp_c", "SoC temperature °C (max)", "max"],
  ["disk_free_mb", "disk free MB (min)", "min"],
  ["rss_mb", "agent RSS MB (max)", "max"],
  ["event_loop_lag_ms", "agent event-loop lag ms (max)", "max"],
] as const;
type HealthColumn = (typeof HEALTH_FIGURES)[number][0];
/** Points per device and figure: the window is cut into this many buckets. */
const HEALTH_BUCKETS = 120;

export async function fleetData(db: Client, w: ReportWindow) {
  const devices = await db.execute({
    sql: `SELECT d.id, d.name, d.created_at, d.revoked_at, d.last_seen_at,
        (SELECT count(*) FROM landed_batches b WHERE b.device_id = d.id AND b.status = 'landed') AS backlog,
        (SELECT count(*) FROM landed_batches b WHERE b.device_id = d.id AND b.status = 'failed'
          AND b.received_at >= ? AND b.received_at < ?) AS sync_errors,
        (SELECT count(*) FROM landed_batches b WHERE b.device_id = d.id AND b.received_at >= ? AND b.received_at < ?) AS batches,
        (SELECT coalesce(sum(observation_count), 0) FROM landed_batches b WHERE b.device_id = d.id
          AND b.received_at >= ? AND b.received_at < ?) AS sightings
      FROM devices d ORDER BY d.name, d.id`,
    args: [w.since, w.until, w.since, w.until, w.since, w.until],
  });
  const perDay = await db.execute({
    sql: `SELECT device_id, (received_at / ${DAY}) * ${DAY} AS day, count(*) AS batches,
        sum(status = 'failed') AS failed FROM landed_batches
      WHERE received_at >= ? AND received_at < ? GROUP BY device_id, day ORDER BY day`,
    args: [w.since, w.until],
  });
  const bucketMs = Math.max(1, Math.ceil((w.until - w.since) / HEALTH_BUCKETS));
  const health = await db.execute({
    sql: `SELECT device_id, ? + ((sampled_at - ?) / ?) * ? AS t,
        ${HEALTH_FIGURES.map(([c, , agg]) => `${agg}(${c}) AS ${c}`).join(", ")}, count(*) AS samples
      FROM device_health WHERE sampled_at >= ? AND sampled_at < ? GROUP BY device_id, t ORDER BY t`,
    args: [w.since, w.since, bucketMs, bucketMs, w.since, w.until],
  });
  const status = await db.execute("SELECT device_id, agent_version, backlog FROM device_status");
  return {
    healthFigures: HEALTH_FIGURES.map(([column, label]) => ({ column, label })),
    devices: devices.rows.map((r) => {
      const lastSeen = r.last_seen_at === null ? null : Number(r.last_seen_at);
      return {
        id: String(r.id),
        name: String(r.name),
        revoked: r.revoked_at !== null,
        lastContact: lastSeen,
        stale: r.revoked_at === null && (lastSeen === null || w.until - lastSeen > STALE_AFTER_MS),
        backlogBatches: Number(r.backlog),
        syncErrors: Number(r.sync_errors),
        batches: Number(r.batches),
        sightings: Number(r.sightings),
        perDay: perDay.rows
          .filter((d) => d.device_id === r.id)
          .map((d) => ({ day: Number(d.day), batches: Number(d.batches), failed: Number(d.failed) })),
        /** What the agent last reported: its version and its backlog of unsent sightings. */
        agentVersion: reported(status.rows, r.id, "agent_version"),
        reportedBacklog: reported(status.rows, r.id, "backlog"),
        /** Health samples per bucket of the window (device_health, kept PIWARDRIVE_DEVICE_HEALTH_DAYS). */
        health: health.rows
          .filter((h) => h.device_id === r.id)
          .map((h) => ({
            t: Number(h.t),
            samples: Number(h.samples),
            ...Object.fromEntries(HEALTH_FIGURES.map(([c]) => [c, h[c] === null ? null : Number(h[c])])),
          })) as ({ t: number; samples: number } & Record<HealthColumn, number | null>)[],
      };
    }),
  };
}

function reported(rows: readonly Record<string, unknown>[], id: unknown, column: string) {
  const v = rows.find((row) => row.device_id === id)?.[column];
  return v === null || v === undefined ? null : typeof v === "number" ? v : String(v);
}

export function fleetHtml(data: Awaited<ReturnType<typeof fleetData>>, w: ReportWindow): string {
  const stale = data.devices.filter((d) => d.stale);
  return htmlPage("Fleet report", `${isoTime(w.since)} to ${isoTime(w.until)} UTC`, [
    {
      heading: "Devices",
      html: table(
        [
          "device",
          "id",
          "last contact (UTC)",
          "backlog (batches)",
          "sync errors",
          "batches",
          "sightings",
          "agent",
          "reported backlog",
          "state",
        ],
        data.devices.map((d) => [
          d.name,
          d.id,
          d.lastContact === null ? "never" : isoTime(d.lastContact),
          d.backlogBatches,
          d.syncErrors,
          d.batches,
          d.sightings,
          d.agentVersion,
          d.reportedBacklog,
          {
            html: d.revoked
              ? "revoked"
              : d.stale
                ? '<span class="bad">stale</span>'
                : '<span class="ok">active</span>',
          },
        ]),
      ),
    },
    {
      heading: "Batches received per day",
      html: lineChart(
        "batches per day per device",
        data.devices
          .filter((d) => d.perDay.length > 0)
          .map((d) => ({ name: d.name, points: d.perDay.map((p) => [p.day, p.batches]) })),
        isoDay,
      ),
    },
    ...data.healthFigures.map((f) => ({
      heading: `Health over time: ${f.label}`,
      html: lineChart(
        f.label,
        data.devices
          .filter((d) => d.health.some((h) => h[f.column] !== null))
          .map((d) => ({
            name: d.name,
            points: d.health.flatMap((h) =>
              h[f.column] === null ? [] : [[h.t, h[f.column]] as [number, number]],
            ),
          })),
        isoTime,
      ),
    })),
    {
      heading: `Stale devices (no contact for ${STALE_AFTER_MS / 3_600_000} h)`,
      html:
        stale.length === 0
          ? "<p>None.</p>"
          : table(
              ["device", "last contact"],
              stale.map((d) => [d.name, d.lastContact === null ? "never" : isoTime(d.lastContact)]),
            ),
    },
  ]);
}
