import { blob, index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Load-test runs: the CLI's `--save`d runs (baselines are the runs sharing a `name`) and the runs started
 * through POST /v1/loadtests. `samples` holds the run's per-request latencies (a uniform sample of at most
 * 20,000, ms as little-endian float32) that `--compare` tests against.
 */
export const loadTestRuns = sqliteTable(
  "load_test_runs",
  {
    id: text("id").primaryKey(),
    /** Baseline name; null for a run that is not part of a baseline. */
    name: text("name"),
    /** queued | running | done | failed */
    status: text("status").notNull(),
    /** cli | api */
    origin: text("origin").notNull(),
    createdAt: integer("created_at").notNull(),
    finishedAt: integer("finished_at"),
    gitCommit: text("git_commit"),
    nodeVersion: text("node_version").notNull(),
    machine: text("machine").notNull(),
    /** JSON: target, scenario, model, rate, duration, warm-up, connections, thresholds. */
    params: text("params").notNull(),
    /** JSON: the run's result object (the --json shape). */
    result: text("result"),
    samples: blob("samples", { mode: "buffer" }),
    error: text("error"),
  },
  (t) => [
    index("load_test_runs_name_idx").on(t.name, t.createdAt),
    index("load_test_runs_created_idx").on(t.createdAt),
  ],
);
