import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./env.js";

describe("loadConfig", () => {
  it("defaults to a libSQL file under ./data and the local Redis", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      db: "./data/cloud.db",
      redisUrl: "redis://127.0.0.1:6379",
      port: 8080,
      queuePrefix: "piwardrive",
      metrics: true,
      metricsPort: undefined,
      wireLimits: { maxCompressedBytes: 4 * 1024 * 1024, maxDecompressedBytes: 32 * 1024 * 1024 },
    });
  });

  it("reads and coerces the environment", () => {
    const config = loadConfig({
      PIWARDRIVE_CLOUD_DB: "libsql://db.example:8080",
      PIWARDRIVE_REDIS_URL: "redis://redis.internal:6380",
      PORT: "9090",
      PIWARDRIVE_MERGE_CONCURRENCY: "4",
      PIWARDRIVE_METRICS: "off",
      PIWARDRIVE_METRICS_PORT: "9464",
    });
    expect(config).toMatchObject({
      db: "libsql://db.example:8080",
      redisUrl: "redis://redis.internal:6380",
      port: 9090,
      mergeConcurrency: 4,
      metrics: false,
      metricsPort: 9464,
    });
  });

  it("names every bad variable at once", () => {
    const bad = {
      PORT: "http",
      PIWARDRIVE_REDIS_URL: "127.0.0.1",
      PIWARDRIVE_QUEUE_PREFIX: "a:b",
      PIWARDRIVE_METRICS: "yes",
    };
    expect(() => loadConfig(bad)).toThrow(ConfigError);
    for (const name of Object.keys(bad)) expect(() => loadConfig(bad)).toThrow(new RegExp(`${name}: `));
  });
});
