import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createClient } from "@libsql/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DelayServer, startDelayServer } from "../test-support/delay-server.js";

// The built CLI, as operators run it (build cloud-api first).
const MAIN = resolve(import.meta.dirname, "../../dist/cli/main.js");
const dir = mkdtempSync(join(tmpdir(), "pw-loadtest-compare-"));
const db = join(dir, "cloud.db");
let server: DelayServer;
let webhook: Server;
const alerts: unknown[] = [];
let webhookUrl = "";

function cli(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((done) => {
    const child = spawn(process.execPath, [MAIN, ...args, "--db", db], { env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
    child.on("close", (status) => done({ status, stdout, stderr }));
  });
}

beforeAll(async () => {
  expect(existsSync(MAIN), `${MAIN} is missing: build cloud-api first`).toBe(true);
  expect((await cli(["migrate"])).status).toBe(0);
  server = await startDelayServer();
  webhook = createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString("utf8")));
    req.on("end", () => {
      alerts.push(JSON.parse(body));
      res.end();
    });
  });
  await new Promise<void>((r) => webhook.listen(0, "127.0.0.1", r));
  webhookUrl = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/hook`;
});
afterAll(async () => {
  await server.close();
  await new Promise((r) => webhook.close(r));
  rmSync(dir, { recursive: true, force: true });
});

/** A 2 s open-model run of GET /hello at 100 req/s, whose latency is the server's base delay. */
async function runAt(baseMs: number, ...extra: string[]) {
  await server.control(`/base?ms=${baseMs}`);
  const run = await cli(
    [
      "loadtest",
      "http",
      "--target",
      server.url,
      "--scenario",
      scenarioPath(),
      "--rate",
      "100",
      "--duration",
      "2",
      "--json",
      ...extra,
    ],
    { PIWARDRIVE_ALERT_WEBHOOK_URL: webhookUrl },
  );
  return { ...run, out: run.stdout === "" ? undefined : (JSON.parse(run.stdout) as { comparison: unknown }) };
}

function scenarioPath() {
  return join(dir, "hello.json");
}

describe("loadtest http --save / --compare", () => {
  it("saves a baseline of two runs, then calls runs made slower and faster on purpose, and a rerun the same", async () => {
    const { writeFileSync } = await import("node:fs");
    writeFileSync(scenarioPath(), JSON.stringify({ requests: [{ path: "/hello" }] }));
    expect((await runAt(20, "--save", "--name", "hello-20ms")).status).toBe(0);
    expect((await runAt(20, "--save", "--name", "hello-20ms")).status).toBe(0);
    const client = createClient({ url: `file:${db}` });
    const rows = (
      await client.execute(
        "SELECT name, status, node_version, machine, params, length(samples) AS bytes FROM load_test_runs",
      )
    ).rows;
    client.close();
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      name: "hello-20ms",
      status: "done",
      node_version: process.version,
      bytes: 200 * 4,
    });
    expect(JSON.parse(String(rows[0]?.params))).toMatchObject({ rate: 100, model: "open", durationS: 2 });

    const same = await runAt(20, "--compare", "hello-20ms");
    expect(same.out?.comparison).toMatchObject({ baseline: "hello-20ms", verdict: "same" });
    expect(same.status).toBe(0);

    const slower = await runAt(30, "--compare", "hello-20ms");
    expect(slower.out?.comparison).toMatchObject({ verdict: "slower" });
    const verdict = slower.out?.comparison as { changePct: number; pValue: number } | undefined;
    expect(verdict?.changePct).toBeGreaterThan(30);
    expect(verdict?.pValue).toBeLessThan(0.01);
    expect(slower.status).toBe(2);
    expect(slower.stderr).toMatch(/load-test regression/);
    expect(alerts).toEqual([
      expect.objectContaining({ kind: "loadtest_regression", baseline: "hello-20ms" }),
    ]);

    const faster = await runAt(10, "--compare", "hello-20ms");
    expect(faster.out?.comparison).toMatchObject({ verdict: "faster" });
    expect(faster.status).toBe(0);
    expect(alerts).toHaveLength(1);
  }, 60_000);

  it("refuses an unknown baseline with a reason (exit 1)", async () => {
    const run = await runAt(0, "--compare", "nope");
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/no baseline named "nope"/);
  });
});
