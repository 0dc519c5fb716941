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

  it("reads the log level, shutdown bounds, slow threshold and maintenance settings", () => {
    expect(loadConfig({})).toMatchObject({
      logLevel: "info",
      shutdownDrainMs: 0,
      shutdownGraceMs: 25_000,
      slowStatementMs: 50,
      maintenanceEveryMs: 3_600_000,
      payloadRetentionDays: 7,
      vacuumFreePercent: 25,
    });
    const config = loadConfig({
      PIWARDRIVE_LOG_LEVEL: "debug",
      PIWARDRIVE_SHUTDOWN_DRAIN_MS: "5000",
      PIWARDRIVE_SLOW_STATEMENT_MS: "0",
      PIWARDRIVE_PAYLOAD_RETENTION_DAYS: "30",
    });
    expect(config).toMatchObject({
      logLevel: "debug",
      shutdownDrainMs: 5000,
      slowStatementMs: 0,
      payloadRetentionDays: 30,
    });
    expect(() => loadConfig({ PIWARDRIVE_LOG_LEVEL: "loud" })).toThrow(/PIWARDRIVE_LOG_LEVEL/);
    expect(() => loadConfig({ PIWARDRIVE_VACUUM_FREE_PERCENT: "0" })).toThrow(
      /PIWARDRIVE_VACUUM_FREE_PERCENT/,
    );
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

  it("reads the alert thresholds and the webhook allow-list, refusing bad ones by name", () => {
    expect(loadConfig({}).alertRules).toEqual({
      enabled: true,
      downgradeMinSteps: 2,
      evilTwinRadiusM: 300,
      evidenceSightings: 10,
    });
    const config = loadConfig({
      PIWARDRIVE_ALERT_RULES: "evil_twin, watchlist_hit",
      PIWARDRIVE_ALERT_DOWNGRADE_STEPS: "3",
      PIWARDRIVE_ALERT_EVIL_TWIN_RADIUS_M: "150",
      PIWARDRIVE_ALERT_EVIDENCE_SIGHTINGS: "5",
      PIWARDRIVE_WEBHOOK_ALLOW_CIDRS: "10.0.0.0/8,127.0.0.1",
    });
    expect(config.alertRules).toEqual({
      enabled: true,
      only: ["evil_twin", "watchlist_hit"],
      downgradeMinSteps: 3,
      evilTwinRadiusM: 150,
      evidenceSightings: 5,
    });
    expect(config.webhookAllowCidrs).toBe("10.0.0.0/8,127.0.0.1");
    expect(loadConfig({ PIWARDRIVE_ALERT_RULES: "off" }).alertRules.enabled).toBe(false);
    expect(() => loadConfig({ PIWARDRIVE_ALERT_RULES: "evil_twins" })).toThrow(
      /PIWARDRIVE_ALERT_RULES: must be on, off or a comma list of encryption_downgrade/,
    );
    expect(() => loadConfig({ PIWARDRIVE_ALERT_DOWNGRADE_STEPS: "0" })).toThrow(
      /PIWARDRIVE_ALERT_DOWNGRADE_STEPS: /,
    );
    expect(() => loadConfig({ PIWARDRIVE_WEBHOOK_ALLOW_CIDRS: "10.0.0.0/8,lan" })).toThrow(
      /PIWARDRIVE_WEBHOOK_ALLOW_CIDRS: webhook allow list: lan is not a CIDR/,
    );
  });
});
