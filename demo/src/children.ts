import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { childEnv } from "./env.js";

/**
 * Every child process the demo starts, so that stopping the demo stops all of them: SIGTERM first (the
 * CLIs shut down gracefully on it), SIGKILL for any that has not exited after `graceMs`.
 */
export class Children {
  #all = new Set<ChildProcess>();

  spawn(command: string, args: readonly string[], env: Record<string, string> = {}): ChildProcess {
    // Own process group: a terminal's Ctrl-C reaches only the demo, which then stops each child exactly
    // once (a second signal would make the cloud CLIs skip their graceful shutdown).
    const child = spawn(command, args, {
      env: { ...childEnv(), ...env },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    this.#all.add(child);
    child.once("exit", () => this.#all.delete(child));
    return child;
  }

  /** Runs a command to completion and returns its stdout; rejects with its stderr when it fails. */
  async run(command: string, args: readonly string[], env: Record<string, string> = {}): Promise<string> {
    const child = this.spawn(command, args, env);
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (d: Buffer) => {
      stdout += d.toString("utf8");
    });
    child.stderr?.on("data", (d: Buffer) => {
      stderr += d.toString("utf8");
    });
    const [code, signal] = (await once(child, "exit")) as [number | null, NodeJS.Signals | null];
    if (code !== 0) {
      throw new Error(`${args.slice(0, 2).join(" ")} failed (${signal ?? `exit ${code}`}): ${stderr.trim()}`);
    }
    return stdout;
  }

  /** Last resort when the demo exits without stopAll (an uncaught error): signal whatever is left. */
  killAllNow(): void {
    for (const child of this.#all) child.kill("SIGTERM");
  }

  get pids(): number[] {
    return [...this.#all].flatMap((c) => (c.pid === undefined ? [] : [c.pid]));
  }

  async stopAll(graceMs = 5000): Promise<void> {
    const alive = [...this.#all].filter((c) => c.exitCode === null && c.signalCode === null);
    await Promise.all(
      alive.map(async (child) => {
        const exited = once(child, "exit");
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
        await exited;
        clearTimeout(timer);
      }),
    );
  }
}
