import { afterEach, describe, expect, it } from "vitest";
import { createApiKey } from "../services/api-keys.js";
import { eventually, openTestCloud } from "../test-support/test-cloud.js";
import { REPORTS_SCHEDULER_ID, startDailyReports, writeDailyReports } from "./daily-reports.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function cloud() {
  const c = await openTestCloud();
  cleanups.push(() => c.cleanup());
  return c;
}

describe("daily reports", () => {
  it("writes the three reports and keeps only the newest N of each kind", async () => {
    const c = await cloud();
    for (let day = 0; day < 4; day += 1)
      await writeDailyReports(c.db, { now: 1_800_000_000_000 + day * 86_400_000, keep: 2 });
    const rs = await c.db.execute("SELECT kind, created_at FROM stored_reports ORDER BY kind, created_at");
    expect(rs.rows.map((r) => [r.kind, r.created_at])).toEqual(
      ["coverage", "fleet", "performance"].flatMap((k) => [
        [k, 1_800_000_000_000 + 2 * 86_400_000],
        [k, 1_800_000_000_000 + 3 * 86_400_000],
      ]),
    );
  });

  it("runs from a BullMQ job scheduler; GET /v1/reports lists the stored reports and serves each", async () => {
    const c = await cloud();
    const daily = await startDailyReports({
      db: c.db,
      connection: c.workerRedis,
      location: { prefix: c.prefix },
      logger: c.logger,
      repeat: { every: 300 },
      keep: 1,
    });
    cleanups.push(async () => {
      await daily.queue.removeJobScheduler(REPORTS_SCHEDULER_ID);
      await daily.close();
      await daily.queue.obliterate({ force: true }).catch(() => {});
    });
    expect((await daily.queue.getJobSchedulers()).map((s) => s.key)).toEqual([REPORTS_SCHEDULER_ID]);
    const { key } = await createApiKey(c.db, { role: "operator" });
    const auth = { headers: { authorization: `Bearer ${key}` } };
    const listed = await eventually(async () => {
      const body = (await (await c.app.request("/v1/reports", auth)).json()) as {
        reports: { kind: string; href: string }[];
      };
      return body.reports.length === 3 ? body.reports : undefined;
    });
    expect(listed.map((r) => r.kind).sort()).toEqual(["coverage", "fleet", "performance"]);
    const one = await c.app.request(listed[0]!.href, auth);
    expect(one.status).toBe(200);
    expect(await one.text()).toMatch(/^<!doctype html>[\s\S]*<svg /);
    expect((await c.app.request("/v1/reports/fleet?id=report-nope", auth)).status).toBe(404);
  }, 20_000);
});
