import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

// The BUILT demo, as `npm start` runs it (build first).
const MAIN = resolve(import.meta.dirname, "../dist/main.js");
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function startDemo(extra: string[]): { child: ChildProcess; output: () => string } {
  expect(existsSync(MAIN), `${MAIN} is missing: npm run build first`).toBe(true);
  const dir = mkdtempSync(join(tmpdir(), "pw-demo-"));
  dirs.push(dir);
  const prefix = `test-demo-${process.pid}-${dirs.length}`;
  const child = spawn(
    process.execPath,
    [MAIN, "--data-dir", dir, "--port", "0", "--queue-prefix", prefix, ...extra],
    { stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  let out = "";
  child.stdout?.on("data", (d: Buffer) => {
    out += d.toString("utf8");
  });
  child.stderr?.on("data", (d: Buffer) => {
    out += d.toString("utf8");
  });
  return { child, output: () => out };
}

async function waitFor(output: () => string, pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = pattern.exec(output());
    if (match) return match;
    if (Date.now() > deadline) throw new Error(`no ${pattern} in output:\n${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("npm start (the demo)", () => {
  it("--once drives, syncs, prints stats with every landed batch merged, and exits 0", async () => {
    const { child, output } = startDemo(["--once"]);
    const [code] = (await once(child, "exit")) as [number | null];
    expect(code, output()).toBe(0);
    const stats = JSON.parse((/^stats\s+(\{.*\})$/m.exec(output()) ?? [])[1] ?? "null") as {
      observations: number;
      networks: number;
      batches: { landed: number; merged: number };
    };
    expect(stats.observations).toBeGreaterThan(0);
    expect(stats.networks).toBeGreaterThan(0);
    expect(stats.batches.landed).toBeGreaterThan(0);
    expect(stats.batches.merged).toBe(stats.batches.landed);
    expect(output()).toMatch(/bull-board\s+http:\/\/127\.0\.0\.1:\d+\/admin\/queues/);
    expect(output()).toMatch(/^ {2}[0-9a-f:]{17} /m);
  }, 60_000);

  it("prints analyst calls that work while it serves", async () => {
    const { child, output } = startDemo(["--resync-ms", "60000"]);
    try {
      await waitFor(output, /Ctrl-C to stop/, 30_000);
      const calls = [...output().matchAll(/^ {2}curl -s -H 'Authorization: Bearer (\S+)' '(\S+)'$/gm)];
      expect(calls.length).toBe(7);
      const paths = calls.map(([, , url]) => new URL(String(url)).pathname);
      expect(paths).toContain("/v1/heatmap");
      expect(paths).toContain("/v1/stats/daily");
      expect(paths).toContain("/v1/alerts");
      for (const [, key, url] of calls) {
        const res = await fetch(String(url), { headers: { authorization: `Bearer ${key}` } });
        expect(res.status, String(url)).toBe(200);
        const body = (await res.json()) as Record<string, unknown>;
        // the demo drive is real data, which raises no alert: an empty list is the right answer there
        if ("alerts" in body && !("network" in body)) {
          expect(body.alerts).toEqual([]);
          continue;
        }
        const list = body.networks ?? body.observations ?? body.ssidHistory ?? body.features ?? body.days;
        expect(Array.isArray(list) && list.length > 0, JSON.stringify(body).slice(0, 300)).toBe(true);
        // The heatmap has located cells and some day of the week has sightings.
        const counted = (list as { properties?: { observations?: number }; observations?: number }[]).some(
          (x) => (x.properties?.observations ?? x.observations ?? 1) > 0,
        );
        expect(counted, JSON.stringify(body).slice(0, 300)).toBe(true);
      }
    } finally {
      child.kill("SIGINT");
      await once(child, "exit");
    }
  }, 60_000);

  it("keeps serving after the first sync, and SIGINT stops it and every child it started", async () => {
    const { child, output } = startDemo(["--resync-ms", "2000"]);
    const pids = await waitFor(output, /^processes demo (\d+), api (\d+), worker (\d+)$/m, 30_000);
    await waitFor(output, /Ctrl-C to stop/, 30_000);
    const url = (/^API\s+(\S+)/m.exec(output()) ?? [])[1] ?? "";
    expect((await fetch(`${url}/health`)).status).toBe(200);
    await waitFor(output, /^resync\s+\+\d+ sightings/m, 15_000);
    child.kill("SIGINT");
    const started = Date.now();
    const [code] = (await once(child, "exit")) as [number | null];
    expect(code, output()).toBe(0);
    expect(Date.now() - started).toBeLessThan(8000);
    for (const pid of [pids[2], pids[3]].map(Number)) expect(alive(pid), `pid ${pid} survived`).toBe(false);
    // Nothing is left in the demo's process group either (it was started as the group leader).
    const ps = spawnSync("ps", ["-o", "pid=", "-g", String(child.pid)], { encoding: "utf8" });
    expect(ps.stdout.trim()).toBe("");
  }, 60_000);
});
