import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { builtCliPath } from "../test-support/built-cli.js";
import { type CloudPeer, startCloudPeer } from "../test-support/cloud-peer.js";
import { writeRun } from "../test-support/sync-kit.js";
import { openTempStore } from "../test-support/temp-store.js";

let peer: CloudPeer;
let db = "";
const cleanups: Array<() => void> = [];

beforeAll(async () => {
  peer = await startCloudPeer();
});
beforeEach(async () => {
  const temp = await openTempStore();
  cleanups.push(temp.cleanup);
  db = temp.path;
  await writeRun(temp.store, 70);
});
afterAll(async () => {
  for (const cleanup of cleanups) cleanup();
  await peer.close();
});

/** The built CLI as a child process, asynchronously: the cloud peer lives in this process. */
function cli(args: string[], env: Record<string, string> = {}) {
  if (!existsSync(builtCliPath)) throw new Error(`${builtCliPath} is missing: build edge-agent first`);
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith("PIWARDRIVE_EDGE_")),
  );
  return new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [builtCliPath, ...args],
      { env: { ...inherited, ...env }, timeout: 30_000 },
      (error, stdout, stderr) => {
        resolve({ status: error ? Number(error.code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

const flags = () => ["sync", "--db", db, "--cloud", peer.url, "--token", peer.token, "--device", "dev-cli"];

describe("piwardrive-edge sync", () => {
  it("--once --json drains the backlog and prints exactly one object", async () => {
    peer.fault = () => undefined;
    const run = await cli([...flags(), "--once", "--json"]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const lines = run.stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    const result = JSON.parse(lines[0] ?? "");
    expect(Object.keys(result).sort()).toEqual([
      "backlog",
      "batchesSent",
      "bytesSent",
      "duplicates",
      "observationsSent",
    ]);
    expect(result).toMatchObject({ batchesSent: 1, observationsSent: 70, duplicates: 0, backlog: 0 });
    expect(result.bytesSent).toBeGreaterThan(0);
    expect(peer.requests.at(-1)?.batch?.deviceId).toBe("dev-cli");
  });

  it("takes the cloud, token and device from the environment", async () => {
    const env = {
      PIWARDRIVE_EDGE_SYNC_URL: peer.url,
      PIWARDRIVE_EDGE_SYNC_TOKEN: peer.token,
      PIWARDRIVE_EDGE_DEVICE_ID: "dev-env",
    };
    const run = await cli(["sync", "--db", db, "--once"], env);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/observations sent\s+70/);
    expect(peer.requests.at(-1)?.batch?.deviceId).toBe("dev-env");
  });

  it("exits 1 and says why when the cloud refuses the batch", async () => {
    peer.fault = () => ({ status: 401, body: { error: { code: "unauthorized", message: "unknown token" } } });
    const run = await cli([...flags(), "--once", "--json"]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("the cloud refused batch 1: HTTP 401: unauthorized unknown token");
    expect(JSON.parse(run.stdout)).toMatchObject({ batchesSent: 0, backlog: 70 });
  });

  it("names what is missing", async () => {
    const run = await cli(["sync", "--db", db, "--cloud", peer.url, "--token", "t", "--once"]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("missing --device or PIWARDRIVE_EDGE_DEVICE_ID");
  });
});
