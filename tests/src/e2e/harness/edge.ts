import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Client, createClient } from "@libsql/client";
import type { CloudHarness, Device } from "./cloud.js";
import { EDGE_CLI } from "./paths.js";
import { type Child, run, spawnChild } from "./processes.js";

export interface SyncJson {
  batchesSent: number;
  observationsSent: number;
  duplicates: number;
  bytesSent: number;
  backlog: number;
}

/** One edge device: its database file, driven through the edge CLI as child processes. */
export class EdgeHarness {
  readonly dir = mkdtempSync(join(tmpdir(), "pw-e2e-edge-"));
  readonly dbPath = join(this.dir, "edge.db");
  #files = 0;

  constructor(readonly device: Device) {}

  async import(...files: string[]): Promise<void> {
    const r = await run(process.execPath, [EDGE_CLI, "import", "--db", this.dbPath, "--json", ...files]);
    if (r.code !== 0) throw new Error(`edge import failed (${r.code}): ${r.stderr}\n${r.stdout}`);
  }

  /** Writes `text` to a file in the edge's temp dir and imports it (a new process: a new run id). */
  async importText(text: string, ext = "csv"): Promise<void> {
    const path = join(this.dir, `input-${this.#files++}.${ext}`);
    writeFileSync(path, text);
    await this.import(path);
  }

  syncArgs(cloudUrl: string): string[] {
    const { id, token } = this.device;
    return [EDGE_CLI, "sync", "--db", this.dbPath, "--cloud", cloudUrl, "--token", token, "--device", id];
  }

  /** `sync --once --json` to completion. */
  async syncOnce(
    cloud: CloudHarness | string,
  ): Promise<{ code: number | null; json: SyncJson | null; stderr: string }> {
    const url = typeof cloud === "string" ? cloud : cloud.url;
    const r = await run(process.execPath, [...this.syncArgs(url), "--once", "--json"]);
    const line = r.stdout.trim().split("\n").pop() ?? "";
    let json: SyncJson | null = null;
    try {
      json = JSON.parse(line) as SyncJson;
    } catch {
      json = null;
    }
    return { code: r.code, json, stderr: r.stderr };
  }

  /** A `sync --once` left running (to be killed). */
  spawnSync(cloudUrl: string, extraArgs: string[] = []): Child {
    return spawnChild("edge-sync", process.execPath, [
      ...this.syncArgs(cloudUrl),
      "--once",
      "--json",
      ...extraArgs,
    ]);
  }

  /** Opens the edge db, runs `use`, closes it (so no connection outlives a CLI run). */
  async query<T>(use: (db: Client) => Promise<T>): Promise<T> {
    const db = createClient({ url: `file:${this.dbPath}` });
    try {
      return await use(db);
    } finally {
      db.close();
    }
  }

  async count(sql: string, args: Array<string | number> = []): Promise<number> {
    return this.query(async (db) => Number((await db.execute({ sql, args })).rows[0]?.n ?? 0));
  }

  /** Copies the db file and its WAL / shared-memory files (taken while no process has it open). */
  snapshot(name: string): void {
    for (const ext of ["", "-wal", "-shm"]) {
      const from = `${this.dbPath}${ext}`;
      if (existsSync(from)) copyFileSync(from, join(this.dir, `${name}${ext}`));
      else rmSync(join(this.dir, `${name}${ext}`), { force: true });
    }
  }

  restore(name: string): void {
    for (const ext of ["", "-wal", "-shm"]) {
      const from = join(this.dir, `${name}${ext}`);
      if (existsSync(from)) copyFileSync(from, `${this.dbPath}${ext}`);
      else rmSync(`${this.dbPath}${ext}`, { force: true });
    }
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
