import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Child, freePort, killChild, run, spawnChild, waitFor } from "./processes.js";

function hostPort(url: string): [string, string] {
  const u = new URL(url);
  return [u.hostname, u.port || "6379"];
}

/** Deletes every key under a queue prefix (what obliterate would do for each queue, and the rate limiter's). */
export async function deleteQueueKeys(redisUrl: string, prefix: string): Promise<void> {
  const [host, port] = hostPort(redisUrl);
  const keys = await run("redis-cli", ["-h", host, "-p", port, "--scan", "--pattern", `${prefix}*`]);
  const names = keys.stdout.split("\n").filter((k) => k !== "");
  for (let i = 0; i < names.length; i += 500) {
    await run("redis-cli", ["-h", host, "-p", port, "DEL", ...names.slice(i, i + 500)]);
  }
}

/** A test-owned, non-persistent redis-server on its own port; restartable on the same port. */
export class OwnRedis {
  port = 0;
  proc: Child | null = null;
  readonly dir = mkdtempSync(join(tmpdir(), "pw-e2e-redis-"));

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (this.port === 0) this.port = await freePort();
    const args = ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"];
    this.proc = spawnChild("redis", "redis-server", [...args, "--dir", this.dir]);
    await waitFor("redis ping", async () => {
      const r = await run("redis-cli", ["-p", String(this.port), "PING"]);
      return r.stdout.includes("PONG") ? true : undefined;
    });
  }

  /** kill -9: every job in it is lost. */
  async kill(): Promise<void> {
    if (this.proc) await killChild(this.proc, "SIGKILL");
    this.proc = null;
  }

  async keyCount(): Promise<number> {
    const r = await run("redis-cli", ["-p", String(this.port), "DBSIZE"]);
    return Number(r.stdout.trim());
  }

  async cleanup(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
