import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";

/** A child started in its own process group, so a kill reaches everything it spawned. */
export interface Child {
  proc: ChildProcess;
  name: string;
  output: () => string;
  exited: Promise<number | null>;
}

const live = new Set<Child>();

export function spawnChild(
  name: string,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Child {
  const proc = spawn(command, args, {
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env },
  });
  let out = "";
  proc.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  proc.stderr?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  // "close", not "exit": only then has all of the child's output been read.
  const exited = new Promise<number | null>((resolve) => {
    proc.once("close", (code) => resolve(code));
    proc.once("error", () => resolve(-1));
  });
  const child: Child = { proc, name, output: () => out, exited };
  live.add(child);
  void exited.then(() => live.delete(child));
  return child;
}

/** Signals the child's whole process group and waits until it has exited. */
export async function killChild(child: Child, signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
  if (child.proc.exitCode !== null || child.proc.signalCode !== null) return;
  try {
    if (child.proc.pid !== undefined) process.kill(-child.proc.pid, signal);
  } catch {
    // already gone
  }
  await child.exited;
}

/** Kills every child still running (afterEach / afterAll, whether or not the test failed). */
export async function killAllChildren(): Promise<void> {
  await Promise.all([...live].map((c) => killChild(c, "SIGKILL")));
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion, collecting stdout and stderr apart. */
export async function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  const child = spawnChild(command, command, args, env);
  let stdout = "";
  let stderr = "";
  child.proc.stdout?.on("data", (d: Buffer) => {
    stdout += d.toString();
  });
  child.proc.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const code = await child.exited;
  return { code, stdout, stderr };
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

/** Polls `check` until it returns a value (not undefined) or `timeoutMs` passes. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 30_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ""}`);
}
