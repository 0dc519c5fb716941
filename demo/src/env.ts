import { z } from "zod";

/*
 * The demo's configuration: the only place in this package that reads process.env. Every value has a
 * default, so `npm start` needs nothing set; command-line flags override single fields.
 */
const unset = (v: unknown) => (v === "" ? undefined : v);

const demoEnvSchema = z.object({
  PIWARDRIVE_DEMO_DATA_DIR: z.preprocess(unset, z.string().default("./data")),
  PIWARDRIVE_DEMO_PORT: z.preprocess(unset, z.coerce.number().int().min(0).max(65535).default(8080)),
  PIWARDRIVE_DEMO_ONCE: z.preprocess(unset, z.enum(["0", "1", "true", "false"]).default("0")),
  PIWARDRIVE_DEMO_RESYNC_MS: z.preprocess(unset, z.coerce.number().int().min(1000).default(30_000)),
  PIWARDRIVE_DEMO_QUEUE_PREFIX: z.preprocess(
    unset,
    z
      .string()
      .regex(/^[\w.-]+$/)
      .default("piwardrive-demo"),
  ),
  PIWARDRIVE_DEMO_REDIS_PORT: z.preprocess(unset, z.coerce.number().int().min(1).max(65535).default(6379)),
});

export interface DemoConfig {
  dataDir: string;
  port: number;
  once: boolean;
  resyncMs: number;
  queuePrefix: string;
  redisPort: number;
}

export function parseDemoConfig(env: Record<string, string | undefined> = process.env): DemoConfig {
  const parsed = demoEnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new Error(`invalid demo configuration: ${problems.join("; ")}`);
  }
  const e = parsed.data;
  return {
    dataDir: e.PIWARDRIVE_DEMO_DATA_DIR,
    port: e.PIWARDRIVE_DEMO_PORT,
    once: e.PIWARDRIVE_DEMO_ONCE === "1" || e.PIWARDRIVE_DEMO_ONCE === "true",
    resyncMs: e.PIWARDRIVE_DEMO_RESYNC_MS,
    queuePrefix: e.PIWARDRIVE_DEMO_QUEUE_PREFIX,
    redisPort: e.PIWARDRIVE_DEMO_REDIS_PORT,
  };
}

/** The environment handed to child CLIs: ours, minus the variables that would redirect them. */
export function childEnv(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      (e): e is [string, string] => e[1] !== undefined && !/^(PIWARDRIVE_|PORT$|HOST$)/.test(e[0]),
    ),
  );
}
