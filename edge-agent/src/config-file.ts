import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { z } from "zod";
import type { EdgeConfig } from "./env.js";
import type { GuardConfig } from "./guards/guard-policy.js";

/*
 * The `run --config <file>` configuration: one JSON file per board, validated here. Paths in it are
 * relative to the file. Sources are optional and combine: a live scanner, a gpsd client, a replay.
 */
const positiveInt = z.number().int().positive();

export const agentConfigSchema = z
  .object({
    db: z.string().min(1),
    deviceId: z.string().min(1).max(64),
    cloudUrl: z.url({ protocol: /^https?$/ }),
    /** Prefer leaving it out and setting PIWARDRIVE_EDGE_SYNC_TOKEN: the file may be world-readable. */
    token: z.string().min(1).optional(),
    scan: z
      .object({
        command: z.array(z.string().min(1)).min(1),
        format: z.enum(["iw", "iwlist", "nmcli"]),
        intervalMs: positiveInt.default(5000),
      })
      .strict()
      .optional(),
    gpsd: z
      .object({ host: z.string().min(1).default("127.0.0.1"), port: positiveInt.max(65535).default(2947) })
      .strict()
      .optional(),
    replay: z
      .object({
        files: z.array(z.string().min(1)).min(1),
        /** 1 = as recorded, 0 = as fast as possible. */
        speed: z.number().nonnegative().default(1),
      })
      .strict()
      .optional(),
    sync: z
      .object({
        /** How often an idle agent looks for a backlog. */
        intervalMs: positiveInt.default(30_000),
        /** A partial batch waits this long for more sightings before it is sent anyway. */
        maxBatchAgeMs: positiveInt.default(30_000),
      })
      .strict()
      .default({ intervalMs: 30_000, maxBatchAgeMs: 30_000 }),
    guards: z
      .object({
        intervalMs: positiveInt.optional(),
        rssModerateMb: z.number().positive().optional(),
        rssCriticalMb: z.number().positive().optional(),
        diskFloorMb: z.number().positive().optional(),
        diskResumeMb: z.number().positive().optional(),
        hotC: z.number().optional(),
        coolC: z.number().optional(),
        lagMs: z.number().positive().optional(),
      })
      .strict()
      .default({}),
  })
  .strict()
  .refine((c) => c.scan !== undefined || c.gpsd !== undefined || c.replay !== undefined, {
    message: "configure at least one source: scan, gpsd or replay",
  });

export type AgentConfig = z.infer<typeof agentConfigSchema>;

export class AgentConfigError extends Error {
  override name = "AgentConfigError";
}

/** Reads and validates the file; relative paths (db, replay files) become relative to the file. */
export function loadAgentConfig(path: string): AgentConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new AgentConfigError(`${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = agentConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(file)"}: ${i.message}`);
    throw new AgentConfigError(`${path}: ${problems.join("; ")}`);
  }
  const base = dirname(resolve(path));
  const config = parsed.data;
  return {
    ...config,
    db: resolve(base, config.db),
    ...(config.replay
      ? { replay: { ...config.replay, files: config.replay.files.map((f) => resolve(base, f)) } }
      : {}),
  };
}

/** The environment's guard thresholds with the file's overrides on top. */
export function guardConfigFor(config: AgentConfig, env: EdgeConfig): GuardConfig {
  const { intervalMs: _interval, ...overrides } = config.guards;
  const merged = { ...env.guards, ...overrides };
  return {
    ...merged,
    diskResumeMb: Math.max(merged.diskResumeMb, merged.diskFloorMb),
    coolC: Math.min(merged.coolC, merged.hotC),
  };
}
