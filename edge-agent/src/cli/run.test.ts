import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtCliPath } from "../test-support/built-cli.js";
import { fixturePath } from "../test-support/fixtures.js";

// The real cloud, as operators run it: the built `piwardrive-cloud` of this monorepo (a path, not a
// package dependency: the edge agent never imports cloud code).
const CLOUD_CLI = resolve(import.meta.dirname, "../../../cloud-api/dist/cli/main.js");
const dir = mkdtempSync(join(tmpdir(), "pw-run-"));
const cloudDb = join(dir, "cloud.db");
const prefix = `test-run-${process.pid}-${Date.now()}`;
const children: ChildProcess[] = [];
let apiUrl = "";
let analystKey = "";
let device = { id: "", token: "" };

const cloud = (...args: string[]) =>
  execFileSync(process.execPath, [CLOUD_CLI, ...args, "--db", cloudDb], { encoding: "utf8" });
const withoutEdgeEnv = () =>
  Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(PIWARDRIVE_|PORT$|HOST$)/.test(k)));

function spawnCloud(args: string[]): ChildProcess {
  const child = spawn(process.execPath, [CLOUD_CLI, ...args, "--db", cloudDb, "--queue-prefix", prefix], {
    env: withoutEdgeEnv(),
    stdio: ["ignore", "ignore", "pipe"],
  });
  children.push(child);
  return child;
}

beforeAll(async () => {
  expect(existsSync(CLOUD_CLI), `${CLOUD_CLI} is missing: build cloud-api first`).toBe(true);
  expect(existsSync(builtCliPath), `${builtCliPath} is missing: build edge-agent first`).toBe(true);
  cloud("migrate");
  device = JSON.parse(cloud("devices", "add", "pi-run-test", "--json"));
  analystKey = (JSON.parse(cloud("keys", "add", "--role", "analyst", "--json")) as { key: string }).key;
  const api = spawnCloud(["serve", "--port", "0", "--host", "127.0.0.1"]);
  spawnCloud(["worker"]);
  apiUrl = await new Promise<string>((done, fail) => {
    let log = "";
    api.once("exit", (code) => fail(new Error(`cloud serve exited ${code}: ${log}`)));
    api.stderr?.on("data", (d: Buffer) => {
      log += d.toString("utf8");
      const url = /"message":"api listening","url":"([^"]+)"/.exec(log)?.[1];
      if (url) done(url);
    });
  });
}, 30_000);

afterAll(async () => {
  await Promise.all(
    children.map(async (c) => {
      if (c.exitCode !== null) return;
      const exited = once(c, "exit");
      c.kill("SIGTERM");
      await exited;
    }),
  );
  rmSync(dir, { recursive: true, force: true });
});

async function stats(): Promise<{ observations: number; batches: { landed: number; merged: number } }> {
  const res = await fetch(`${apiUrl}/v1/stats`, { headers: { authorization: `Bearer ${analystKey}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as { observations: number; batches: { landed: number; merged: number } };
}

describe("piwardrive-edge run --config", () => {
  it("replays into the store, syncs to a real cloud, and exits 0 on SIGTERM", async () => {
    const config = join(dir, "agent.json");
    writeFileSync(
      config,
      JSON.stringify({
        db: "edge.db",
        deviceId: device.id,
        cloudUrl: apiUrl,
        replay: { files: [fixturePath("iw-scan/jc_centos-7.7_iw-scan1.out")], speed: 0 },
        sync: { intervalMs: 500, maxBatchAgeMs: 1000 },
        guards: { intervalMs: 1000 },
      }),
    );
    const agent = spawn(process.execPath, [builtCliPath, "run", "--config", config], {
      env: { ...withoutEdgeEnv(), PIWARDRIVE_EDGE_SYNC_TOKEN: device.token },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    agent.stderr?.on("data", (d: Buffer) => {
      stderr += d.toString("utf8");
    });
    const deadline = Date.now() + 20_000;
    let seen = await stats();
    // The iw scan holds 26 BSS: each is one sighting, so the cloud must end up with all 26.
    while ((seen.observations < 26 || seen.batches.merged < seen.batches.landed) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      seen = await stats();
    }
    expect(seen.observations, stderr).toBe(26);
    expect(seen.batches.merged).toBe(seen.batches.landed);
    agent.kill("SIGTERM");
    const [code] = (await once(agent, "exit")) as [number | null];
    expect(code, stderr).toBe(0);
    expect(stderr).toContain("SIGTERM: stopping");
    expect(existsSync(join(dir, "edge.db"))).toBe(true);
  }, 40_000);

  it("refuses a config with no source and names the problem", () => {
    const config = join(dir, "bad.json");
    writeFileSync(config, JSON.stringify({ db: "x.db", deviceId: "d", cloudUrl: apiUrl }));
    let failure: { status: number; stderr: string } | null = null;
    try {
      execFileSync(process.execPath, [builtCliPath, "run", "--config", config], {
        env: { ...withoutEdgeEnv(), PIWARDRIVE_EDGE_SYNC_TOKEN: "t" },
        stdio: "pipe",
      });
    } catch (error) {
      const e = error as { status: number; stderr: Buffer };
      failure = { status: e.status, stderr: e.stderr.toString("utf8") };
    }
    expect(failure?.status).toBe(1);
    expect(failure?.stderr).toContain("configure at least one source: scan, gpsd or replay");
  });
});
