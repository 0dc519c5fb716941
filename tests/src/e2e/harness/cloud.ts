import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Client, createClient } from "@libsql/client";
import { CLOUD_CLI } from "./paths.js";
import { type Child, freePort, killChild, run, spawnChild, waitFor } from "./processes.js";
import { deleteQueueKeys } from "./redis.js";

export interface Stats {
  observations: number;
  networks: number;
  devices: number;
  batches: { landed: number; merged: number; failed: number };
}

export interface Device {
  id: string;
  token: string;
}

/** The cloud as real processes: `serve` and `worker` of the cloud CLI on a temp db and its own queue prefix. */
export class CloudHarness {
  readonly dir = mkdtempSync(join(tmpdir(), "pw-e2e-cloud-"));
  readonly dbPath = join(this.dir, "cloud.db");
  readonly prefix = `test-${randomUUID()}`;
  port = 0;
  analystKey = "";
  api: Child | null = null;
  worker: Child | null = null;
  #db: Client | null = null;

  /** More environment for both processes (e.g. PIWARDRIVE_WEBHOOK_ALLOW_CIDRS). */
  extraEnv: NodeJS.ProcessEnv = {};

  constructor(readonly redisUrl = "redis://127.0.0.1:6379") {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Migrates the db and creates an analyst key. */
  async init(): Promise<void> {
    this.port = await freePort();
    await this.cli(["migrate", "--db", this.dbPath]);
    const key = JSON.parse(
      await this.cli(["keys", "add", "--role", "analyst", "--json", "--db", this.dbPath]),
    );
    this.analystKey = String(key.key);
  }

  /** A new API key of this role (the analyst key of init() is `analystKey`). */
  async addKey(role: "analyst" | "operator" | "admin"): Promise<string> {
    return String(
      JSON.parse(await this.cli(["keys", "add", "--role", role, "--json", "--db", this.dbPath])).key,
    );
  }

  async addDevice(name = "edge-e2e"): Promise<Device> {
    const out = JSON.parse(await this.cli(["devices", "add", name, "--json", "--db", this.dbPath]));
    return { id: String(out.id), token: String(out.token) };
  }

  #env(): NodeJS.ProcessEnv {
    return {
      PIWARDRIVE_INGEST_PER_MINUTE: "100000",
      PIWARDRIVE_RECONCILE_EVERY_MS: "1000",
      ...this.extraEnv,
    };
  }

  async startApi(): Promise<void> {
    const args = [CLOUD_CLI, "serve", "--port", String(this.port), "--host", "127.0.0.1"];
    args.push("--db", this.dbPath, "--redis", this.redisUrl, "--queue-prefix", this.prefix);
    this.api = spawnChild("api", process.execPath, args, this.#env());
    const api = this.api;
    await waitFor("api /health", async () => {
      if (api.proc.exitCode !== null) throw new Error(`api exited: ${api.output()}`);
      const res = await fetch(`${this.url}/health`);
      return res.ok ? true : undefined;
    });
  }

  async startWorker(): Promise<void> {
    const args = [CLOUD_CLI, "worker", "--db", this.dbPath, "--redis", this.redisUrl];
    args.push("--queue-prefix", this.prefix, "--concurrency", "2");
    this.worker = spawnChild("worker", process.execPath, args, this.#env());
    const worker = this.worker;
    await waitFor("merge worker started", () => {
      if (worker.proc.exitCode !== null) throw new Error(`worker exited: ${worker.output()}`);
      return worker.output().includes("merge worker started") ? true : undefined;
    });
  }

  async stopApi(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    if (this.api) await killChild(this.api, signal);
    this.api = null;
  }

  async stopWorker(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    if (this.worker) await killChild(this.worker, signal);
    this.worker = null;
  }

  async stats(): Promise<Stats> {
    const res = await fetch(`${this.url}/v1/stats`, {
      headers: { authorization: `Bearer ${this.analystKey}` },
    });
    if (!res.ok) throw new Error(`stats: ${res.status} ${await res.text()}`);
    return (await res.json()) as Stats;
  }

  /** Waits until every landed batch is merged (none failed) and returns the stats. */
  async waitMerged(timeoutMs = 60_000): Promise<Stats> {
    return waitFor(
      "merged == landed",
      async () => {
        const s = await this.stats();
        return s.batches.landed > 0 && s.batches.merged === s.batches.landed ? s : undefined;
      },
      timeoutMs,
      200,
    );
  }

  /** A direct read-only view of the cloud database. */
  get db(): Client {
    this.#db ??= createClient({ url: `file:${this.dbPath}` });
    return this.#db;
  }

  async count(sql: string, args: Array<string | number> = []): Promise<number> {
    const rs = await this.db.execute({ sql, args });
    return Number(rs.rows[0]?.n ?? 0);
  }

  async cleanup(): Promise<void> {
    await this.stopApi();
    await this.stopWorker();
    this.#db?.close();
    this.#db = null;
    await deleteQueueKeys(this.redisUrl, this.prefix).catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async cli(args: string[]): Promise<string> {
    const r = await run(process.execPath, [CLOUD_CLI, ...args]);
    if (r.code !== 0) throw new Error(`cloud ${args.join(" ")} failed (${r.code}): ${r.stderr}`);
    return r.stdout;
  }
}
