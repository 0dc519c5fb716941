import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { TalliedCounter } from "./tallied-counter.js";

describe("TalliedCounter", () => {
  it("a scrape shows every count so far, per label set, and counts keep adding up across scrapes", async () => {
    const registry = new Registry();
    const tallied = new TalliedCounter({
      name: "t_total",
      help: "test",
      labelNames: ["result"] as const,
      registers: [registry],
    });
    for (let i = 0; i < 3; i += 1) tallied.inc("hit", { result: "hit" });
    tallied.inc("miss", { result: "miss" });
    expect(await registry.metrics()).toContain('t_total{result="hit"} 3');
    expect(await registry.metrics()).toContain('t_total{result="miss"} 1');
    tallied.inc("hit", { result: "hit" });
    const values = (await tallied.counter.get()).values;
    expect(values.map((v) => [v.labels.result, v.value])).toEqual([
      ["hit", 4],
      ["miss", 1],
    ]);
  });
});
