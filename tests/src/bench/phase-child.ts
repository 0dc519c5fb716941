import { spawn } from "node:child_process";

/**
 * Benchmarks run each phase in a child process of their own, so one phase's memory never pollutes
 * another's RSS. The child reports its result as one prefixed JSON line on stdout.
 */
const RESULT_PREFIX = "PHASE_RESULT ";

/** Runs `node <args>` and resolves with the result the child reported with `reportPhaseResult`. */
export function runPhaseInChild<T>(label: string, args: string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      out += d;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      const line = out.split("\n").find((l) => l.startsWith(RESULT_PREFIX));
      if (code !== 0 || line === undefined) reject(new Error(`${label} phase exited ${code}: ${out}`));
      else resolve(JSON.parse(line.slice(RESULT_PREFIX.length)) as T);
    });
  });
}

/** Called in the child: hands the phase's result to `runPhaseInChild` in the parent. */
export function reportPhaseResult(result: unknown): void {
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
}
