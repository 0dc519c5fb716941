import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DelayServer, startDelayServer } from "../test-support/delay-server.js";
import { scenarioFromDefinition } from "./file-scenario.js";
import { runLoad } from "./run-load.js";
import { seededRandom } from "./scenario.js";

let server: DelayServer;
beforeAll(async () => {
  server = await startDelayServer();
});
afterAll(() => server.close());

const hello = () => scenarioFromDefinition("hello", { requests: [{ path: "/hello" }] });
const base = { warmupS: 0, connections: 16, timeoutMs: 10_000, random: seededRandom(7) } as const;

describe("runLoad against a server whose latency the test controls", () => {
  it("reports percentiles that match the injected delays (HDR precision: values are never under them)", async () => {
    const scenario = scenarioFromDefinition("delays", {
      requests: [
        { path: "/delay?ms=10", weight: 9, route: "fast" },
        { path: "/delay?ms=40", weight: 1, route: "slow" },
      ],
    });
    const run = await runLoad({
      ...base,
      target: server.url,
      scenario,
      model: "open",
      rate: 150,
      durationS: 3,
    });
    expect(run.requests).toBe(450);
    expect(run.errors).toBe(0);
    const fast = run.perRoute.fast!;
    const slow = run.perRoute.slow!;
    expect(fast.requests + slow.requests).toBe(450);
    expect(slow.requests).toBeGreaterThan(20);
    // A timer never fires early, and HDR keeps 3 significant digits: nothing may read below 0.1 % under.
    expect(fast.p50).toBeGreaterThanOrEqual(10 * 0.999);
    expect(slow.p50).toBeGreaterThanOrEqual(40 * 0.999);
    // Loopback and the server's timer add little on top (generous for a loaded 2-core machine).
    expect(fast.p50).toBeLessThan(10 + 6);
    expect(slow.p50).toBeLessThan(40 + 6);
    // 10 % of requests take 40 ms: the overall p50 is a fast one and the p99 a slow one.
    expect(run.latencyMs.p50).toBeLessThan(20);
    expect(run.latencyMs.p99).toBeGreaterThanOrEqual(40 * 0.999);
  });

  it("the open model reports a 1 s stall in every request scheduled during it; the closed model hides it", async () => {
    const stallAfter = (ms: number) =>
      new Promise<void>((resolve, reject) =>
        setTimeout(() => server.control("/stall?ms=1000").then(resolve, reject), ms),
      );
    const [open] = await Promise.all([
      runLoad({ ...base, target: server.url, scenario: hello(), model: "open", rate: 200, durationS: 3 }),
      stallAfter(1000),
    ]);
    const [closed] = await Promise.all([
      runLoad({
        ...base,
        connections: 4,
        target: server.url,
        scenario: hello(),
        model: "closed",
        rate: 0,
        durationS: 3,
      }),
      stallAfter(1000),
    ]);
    // ~200 of the 600 open-model requests were due during the stall and waited up to 1 s.
    expect(open.requests).toBe(600);
    expect(open.latencyMs.p90).toBeGreaterThan(300);
    expect(open.latencyMs.max).toBeGreaterThan(900);
    // The closed model sent nothing while its 4 connections waited: only 4 requests saw the stall.
    expect(closed.latencyMs.max).toBeGreaterThan(900);
    expect(closed.requests).toBeGreaterThan(1000);
    expect(closed.latencyMs.p99).toBeLessThan(100);
    expect(closed.schedDelayMs.p99).toBe(0);
  }, 20_000);

  it("counts non-2xx answers and transport errors as errors", async () => {
    const scenario = scenarioFromDefinition("mixed-status", {
      requests: [
        { path: "/status/503", route: "bad" },
        { path: "/hello", route: "good" },
      ],
    });
    const run = await runLoad({
      ...base,
      target: server.url,
      scenario,
      model: "open",
      rate: 100,
      durationS: 1,
    });
    expect(run.non2xx).toBe(run.perRoute.bad?.requests);
    expect(run.errors).toBe(run.non2xx);
    expect(run.perRoute.good?.errors).toBe(0);
    const dead = await runLoad({
      ...base,
      target: "http://127.0.0.1:1",
      scenario: hello(),
      model: "open",
      rate: 20,
      durationS: 0.5,
    });
    expect(dead.requests).toBe(10);
    expect(dead.errors).toBe(10);
    expect(dead.non2xx).toBe(0);
    expect(dead.achievedRps).toBe(0);
  });
});
