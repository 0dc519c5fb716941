import { CLOUD_CLI } from "./paths.js";
import { type Child, freePort, killChild, spawnChild, waitFor } from "./processes.js";

/**
 * Named `serve` and `worker` processes of the cloud CLI on one database file and one Redis queue prefix,
 * each restartable (an API on the same port), for the multi-process tests.
 */
export class CloudProcesses {
  readonly apis = new Map<string, { port: number; child: Child | null }>();
  readonly workers = new Map<string, Child | null>();

  constructor(
    readonly dbPath: string,
    readonly redisUrl: string,
    readonly prefix: string,
    readonly env: NodeJS.ProcessEnv,
  ) {}

  async startApi(name: string): Promise<number> {
    const port = this.apis.get(name)?.port ?? (await freePort());
    const args = [CLOUD_CLI, "serve", "--port", String(port), "--host", "127.0.0.1", "--db", this.dbPath];
    args.push("--redis", this.redisUrl, "--queue-prefix", this.prefix);
    const child = spawnChild(name, process.execPath, args, this.env);
    this.apis.set(name, { port, child });
    await waitFor(`${name} /health`, async () => {
      if (child.proc.exitCode !== null) throw new Error(`${name} exited: ${child.output()}`);
      return (await fetch(`http://127.0.0.1:${port}/health`)).ok ? true : undefined;
    });
    return port;
  }

  async startWorker(name: string): Promise<void> {
    const args = [CLOUD_CLI, "worker", "--db", this.dbPath, "--redis", this.redisUrl];
    args.push("--queue-prefix", this.prefix, "--concurrency", "2");
    const child = spawnChild(name, process.execPath, args, this.env);
    this.workers.set(name, child);
    await waitFor(`${name} started`, () => {
      if (child.proc.exitCode !== null) throw new Error(`${name} exited: ${child.output()}`);
      return child.output().includes("merge worker started") ? true : undefined;
    });
  }

  async kill(name: string, signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    const api = this.apis.get(name);
    const child = api?.child ?? this.workers.get(name) ?? null;
    if (child !== null) await killChild(child, signal);
    if (api !== undefined) api.child = null;
    else this.workers.set(name, null);
  }

  async stopAll(): Promise<void> {
    for (const name of [...this.apis.keys(), ...this.workers.keys()]) await this.kill(name);
  }
}
