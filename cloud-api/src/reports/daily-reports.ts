import { randomUUID } from "node:crypto";
import type { Client } from "@libsql/client";
import { Queue, type RepeatOptions, Worker } from "bullmq";
import type { Redis } from "ioredis";
import { errorFields, type Logger } from "../logger.js";
import { DEFAULT_QUEUE_PREFIX, type MergeQueueLocation } from "../queues/merge-queue.js";
import { buildReport } from "./build-report.js";
import { REPORT_KINDS } from "./report-window.js";

export const REPORTS_QUEUE_NAME = "{reports}";
export const REPORTS_SCHEDULER_ID = "daily-reports";
/** Reports of each kind kept by default. */
export const KEEP_REPORTS = 30;
const DAY = 86_400_000;

/** Writes the three reports over the last day and deletes all but the newest `keep` of each kind. */
export async function writeDailyReports(
  db: Client,
  input: { now?: number; keep?: number } = {},
): Promise<string[]> {
  const until = input.now ?? Date.now();
  const window = { since: until - DAY, until };
  const keep = input.keep ?? KEEP_REPORTS;
  const ids: string[] = [];
  for (const kind of REPORT_KINDS) {
    const report = await buildReport(db, kind, window, "html");
    const id = `report-${randomUUID()}`;
    ids.push(id);
    await db.batch(
      [
        {
          sql: "INSERT INTO stored_reports (id, kind, created_at, since, until, html) VALUES (?, ?, ?, ?, ?, ?)",
          args: [id, kind, until, window.since, window.until, report.body],
        },
        {
          sql: `DELETE FROM stored_reports WHERE kind = ? AND id NOT IN
            (SELECT id FROM stored_reports WHERE kind = ? ORDER BY created_at DESC, id DESC LIMIT ?)`,
          args: [kind, kind, keep],
        },
      ],
      "write",
    );
  }
  return ids;
}

export async function listStoredReports(db: Client) {
  const rs = await db.execute(
    "SELECT id, kind, created_at, since, until, length(html) AS bytes FROM stored_reports ORDER BY created_at DESC, kind",
  );
  return rs.rows.map((r) => ({
    id: String(r.id),
    kind: String(r.kind),
    createdAt: new Date(Number(r.created_at)).toISOString(),
    since: new Date(Number(r.since)).toISOString(),
    until: new Date(Number(r.until)).toISOString(),
    bytes: Number(r.bytes),
    href: `/v1/reports/${String(r.kind)}?id=${encodeURIComponent(String(r.id))}`,
  }));
}

export async function storedReportHtml(db: Client, kind: string, id: string): Promise<string | undefined> {
  const rs = await db.execute({
    sql: "SELECT html FROM stored_reports WHERE id = ? AND kind = ?",
    args: [id, kind],
  });
  const row = rs.rows[0];
  return row === undefined ? undefined : String(row.html);
}

/**
 * The {reports} job scheduler (BullMQ upsertJobScheduler: one schedule however many workers start) and the
 * worker that runs it. Default: every day at 00:05 UTC.
 */
export async function startDailyReports(input: {
  db: Client;
  connection: Redis;
  location?: MergeQueueLocation;
  logger: Logger;
  repeat?: Omit<RepeatOptions, "key">;
  keep?: number;
}) {
  const prefix = input.location?.prefix ?? DEFAULT_QUEUE_PREFIX;
  const queue = new Queue(REPORTS_QUEUE_NAME, { connection: input.connection, prefix });
  await queue.upsertJobScheduler(REPORTS_SCHEDULER_ID, input.repeat ?? { pattern: "5 0 * * *", tz: "UTC" }, {
    name: "reports",
    opts: { removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } },
  });
  const worker = new Worker(
    REPORTS_QUEUE_NAME,
    async () => {
      await writeDailyReports(input.db, input.keep === undefined ? {} : { keep: input.keep });
    },
    { connection: input.connection, prefix, concurrency: 1 },
  );
  worker.on("error", (error) => input.logger.warn("reports worker error", errorFields(error)));
  worker.on("failed", (_job, error) => input.logger.error("daily reports failed", errorFields(error)));
  return {
    queue,
    worker,
    async close() {
      await worker.close();
      await queue.close();
    },
  };
}
