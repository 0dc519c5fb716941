import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DelayServer, startDelayServer } from "../test-support/delay-server.js";

// The built CLI, as operators run it (build cloud-api first).
const MAIN = resolve(import.meta.dirname, "../../dist/cli/main.js");
const dir = mkdtempSync(join(tmpdir(), "pw-loadtest-cli-"));
const scenarioFile = join(dir, "hello.json");
let server: DelayServer;

beforeAll(async () => {
  expect(existsSync(MAIN), `${MAIN} is missing: build cloud-api first`).toBe(true);
  server = await startDelayServer();
  writeFileSync(scenarioFile, JSON.stringify({ requests: [{ path: "/delay?ms=5", weight: 1 }] }));
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

// Async spawn: the delay server's parent (this process) must keep serving nothing, but the child needs time.
function cli(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [MAIN, ...args], { env: {} });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
    child.on("close", (status) => done({ status, stdout, stderr }));
  });
}

const KEYS = [
  "scenario",
  "model",
  "rate",
  "durationS",
  "requests",
  "achievedRps",
  "errors",
  "timeouts",
  "non2xx",
  "lateStarts",
  "latencyMs",
  "perRoute",
  "thresholds",
  "comparison",
].sort();

const http = (...extra: string[]) =>
  cli(
    "loadtest",
    "http",
    "--target",
    server.url,
    "--scenario",
    scenarioFile,
    "--rate",
    "50",
    "--duration",
    "1",
    ...extra,
  );

describe("piwardrive-cloud loadtest http", () => {
  it("--json prints exactly one object of the documented shape and exits 0 when thresholds hold", async () => {
    const run = await http("--json", "--threshold", "p(95)<500", "--threshold", "errors<1%");
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const lines = run.stdout.split("\n").filter((l) => l !== "");
    expect(lines).toHaveLength(1);
    const out = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(Object.keys(out).sort()).toEqual(KEYS);
    expect(out).toMatchObject({
      model: "open",
      rate: 50,
      durationS: 1,
      requests: 50,
      errors: 0,
      comparison: null,
    });
    expect(Object.keys(out.latencyMs as object).sort()).toEqual(["max", "p50", "p90", "p95", "p99", "p999"]);
    expect(Object.keys(out.perRoute as object)).toEqual(["GET /delay"]);
    expect(out.thresholds).toEqual([
      { expr: "p(95)<500", observed: expect.any(Number), ok: true },
      { expr: "errors<1%", observed: 0, ok: true },
    ]);
  });

  it("exits 2 when a threshold fails, and says --closed in the result", async () => {
    const run = await http("--json", "--threshold", "p50<1");
    expect(run.status).toBe(2);
    const out = JSON.parse(run.stdout) as { thresholds: { ok: boolean }[] };
    expect(out.thresholds[0]?.ok).toBe(false);
    const closed = await http("--json", "--closed", "--connections", "2");
    expect(closed.status).toBe(0);
    expect(JSON.parse(closed.stdout)).toMatchObject({ model: "closed", rate: null });
  });

  it("exits 1 with a reason on a usage error", async () => {
    const bad = await http("--threshold", "p95=5");
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/expected <metric><op><value>/);
    const noRate = await cli(
      "loadtest",
      "http",
      "--target",
      server.url,
      "--scenario",
      scenarioFile,
      "--duration",
      "1",
    );
    expect(noRate.status).toBe(1);
    expect(noRate.stderr).toMatch(/--rate is required/);
    const badFile = join(dir, "bad.json");
    writeFileSync(badFile, JSON.stringify({ requests: [{ path: "no-slash", weight: -1 }] }));
    const badScenario = await http("--scenario", badFile);
    expect(badScenario.status).toBe(1);
    expect(badScenario.stderr).toMatch(/requests\.0\.path: must start with \//);
  });
});
