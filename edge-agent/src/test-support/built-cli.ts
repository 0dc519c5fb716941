import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";

/** The compiled bin, relative to this file (src/test-support -> dist/cli/main.js). */
export const builtCliPath = resolve(import.meta.dirname, "../../dist/cli/main.js");

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the BUILT `piwardrive-edge` as a real child process. The environment is the test's, minus any
 * PIWARDRIVE_EDGE_* the developer has set, plus `env`: the child sees only the configuration the test chose.
 */
export function runBuiltCli(args: readonly string[], env: Record<string, string> = {}): CliRun {
  if (!existsSync(builtCliPath)) {
    throw new Error(`${builtCliPath} is missing: build first (npx tsc -p edge-agent/tsconfig.build.json)`);
  }
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith("PIWARDRIVE_EDGE_")),
  );
  const run = spawnSync(process.execPath, [builtCliPath, ...args], {
    env: { ...inherited, ...env },
    encoding: "utf8",
    timeout: 30_000,
  });
  if (run.error) throw run.error;
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}
