import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createApp } from "./app.js";
import { jsonLogger, REDACTED } from "./json-logger.js";
import { type LogFields, loggableUrl } from "./logger.js";
import { createApiKey } from "./services/api-keys.js";
import { createDevice } from "./services/devices.js";
import { makeBatch, manySightings, postBatch } from "./test-support/batches.js";
import { openTestCloud, type TestCloud } from "./test-support/test-cloud.js";
import { mergeProcessor } from "./workers/merge-worker.js";

function capture(level?: "debug" | "info") {
  const lines: string[] = [];
  const logger = jsonLogger({ ...(level === undefined ? {} : { level }), write: (l) => lines.push(l) });
  const parsed = () => lines.map((l) => JSON.parse(l) as LogFields);
  return { logger, lines, parsed };
}

describe("jsonLogger", () => {
  it("writes one JSON line per entry: level label, ISO time, message right before the fields", () => {
    const { logger, lines, parsed } = capture();
    logger.info("api listening", { url: "http://127.0.0.1:8080", port: 8080 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/"message":"api listening","url":"http:\/\/127\.0\.0\.1:8080"/);
    expect(lines[0]?.endsWith("\n")).toBe(true);
    expect(parsed()[0]).toMatchObject({ level: "info", pid: process.pid, port: 8080 });
    expect(new Date(String(parsed()[0]?.time)).getTime()).toBeGreaterThan(0);
  });

  it("puts child bindings on every line of the child, and a field named message does not replace it", () => {
    const { logger, parsed } = capture();
    const child = logger.child({ requestId: "r-1" }).child({ deviceId: "dev-1" });
    child.warn("first", { message: "inner" });
    child.error("second");
    logger.info("parent");
    expect(parsed()).toEqual([
      expect.objectContaining({ requestId: "r-1", deviceId: "dev-1", message: "first", detail: "inner" }),
      expect.objectContaining({ requestId: "r-1", deviceId: "dev-1", message: "second", level: "error" }),
      expect.not.objectContaining({ requestId: "r-1" }),
    ]);
  });

  it("drops lines below its level", () => {
    const quiet = capture();
    quiet.logger.debug("hidden");
    quiet.logger.info("shown");
    expect(quiet.parsed().map((l) => l.message)).toEqual(["shown"]);
    const verbose = capture("debug");
    verbose.logger.debug("now shown");
    expect(verbose.parsed().map((l) => l.level)).toEqual(["debug"]);
  });

  it("redacts secret-named fields at the top level and one level down", () => {
    const { lines, logger } = capture();
    logger.info("x", {
      token: "tok-aaaa",
      apiKey: "key-bbbb",
      headers: { authorization: "Bearer cccc" },
      config: { dbAuthToken: "dddd", password: "eeee" },
    });
    for (const secret of ["tok-aaaa", "key-bbbb", "cccc", "dddd", "eeee"]) {
      expect(lines[0]).not.toContain(secret);
    }
    expect(lines[0]).toContain(REDACTED);
  });

  it("redacts child bindings too, and copies (never edits) an object it redacts", () => {
    const { lines, logger } = capture();
    const headers = { authorization: "Bearer ffff", accept: "*/*" };
    logger.child({ token: "gggg", headers }).info("y", { list: ["hhhh"] });
    expect(lines[0]).not.toContain("ffff");
    expect(lines[0]).not.toContain("gggg");
    expect(JSON.parse(lines[0] ?? "")).toMatchObject({ headers: { accept: "*/*" }, list: ["hhhh"] });
    expect(headers.authorization).toBe("Bearer ffff");
  });

  it("to stderr: every line logged right before process.exit is written (the buffer is flushed at exit)", () => {
    // the built logger, as the CLI runs it (`npm run build` first, like the CLI tests)
    const built = resolve(import.meta.dirname, "../dist/json-logger.js");
    expect(existsSync(built), `${built} is missing: build cloud-api first`).toBe(true);
    const script = `const { jsonLogger } = await import(${JSON.stringify(pathToFileURL(built).href)});
      const logger = jsonLogger();
      for (let i = 0; i < 5000; i += 1) logger.info("line", { i, pad: "x".repeat(200) });
      process.exit(0);`;
    const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(run.status).toBe(0);
    const written = run.stderr
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as LogFields);
    expect(written).toHaveLength(5000);
    expect(written.at(-1)).toMatchObject({ message: "line", i: 4999 });
  });
});

describe("loggableUrl", () => {
  it("removes user, password and query (auth tokens) and keeps the rest", () => {
    expect(loggableUrl("redis://:s3cret@redis.internal:6379/0")).toBe("redis://redis.internal:6379/0");
    expect(loggableUrl("libsql://db.turso.io?authToken=abc.def")).toBe("libsql://db.turso.io");
    expect(loggableUrl("./data/cloud.db")).toBe("./data/cloud.db");
    expect(loggableUrl("file:/tmp/c.db?mode=ro")).toBe("file:/tmp/c.db");
  });
});

describe("request and merge logs on a real app", () => {
  let cloud: TestCloud;
  beforeEach(async () => {
    cloud = await openTestCloud();
  });
  afterEach(() => cloud.cleanup());

  it("carry requestId, deviceId and the batch key, and never a device token or API key", async () => {
    const { logger, lines, parsed } = capture();
    const app = createApp({ ...cloud.deps, logger });
    const device = await createDevice(cloud.db, { name: "pi-1" });
    const analyst = await createApiKey(cloud.db, { role: "analyst" });
    const batch = makeBatch({ deviceId: device.id, runId: "run-9", batchSeq: 4 }, manySightings(5));

    expect((await postBatch(app, device.token, batch)).status).toBe(202);
    expect((await postBatch(app, "pwd_wrong-token-value-1234", batch)).status).toBe(401);
    const search = await app.request("/v1/networks?limit=5", {
      headers: { authorization: `Bearer ${analyst.key}` },
    });
    expect(search.status).toBe(200);
    await mergeProcessor({ db: cloud.db, logger })({ data: { ...batch }, id: "job-1" });

    const all = lines.join("");
    for (const secret of [device.token, analyst.key, "pwd_wrong-token-value-1234"]) {
      expect(all).not.toContain(secret);
    }
    const requests = parsed().filter((l) => l.message === "request");
    expect(requests).toHaveLength(3);
    for (const r of requests) expect(r.requestId).toMatch(/\S+/);
    expect(new Set(requests.map((r) => r.requestId)).size).toBe(3);
    expect(requests[0]).toMatchObject({
      method: "POST",
      route: "/v1/ingest",
      status: 202,
      deviceId: device.id,
      runId: "run-9",
      batchSeq: 4,
    });
    expect(requests[1]).toMatchObject({ status: 401 });
    expect(requests[1]).not.toHaveProperty("deviceId");
    expect(requests[2]).toMatchObject({ route: "/v1/networks", status: 200, apiKeyId: analyst.id });
    expect(parsed().find((l) => l.message === "batch merged")).toMatchObject({
      deviceId: device.id,
      runId: "run-9",
      batchSeq: 4,
      jobId: "job-1",
      status: "merged",
      inserted: 5,
    });
  });
});
