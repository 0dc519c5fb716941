import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { cpus, platform, totalmem } from "node:os";
import type { Client } from "@libsql/client";
import { NotFoundError } from "../errors.js";
import type { LoadResult } from "./load-result.js";

export interface RunProvenance {
  gitCommit: string | null;
  nodeVersion: string;
  machine: string;
}

/** Where a run was measured: baselines from another commit, Node or machine are still comparable, but say so. */
export function currentProvenance(): RunProvenance {
  let gitCommit: string | null = null;
  try {
    gitCommit = execFileSync("git", ["rev-parse", "HEAD"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
  } catch {
    gitCommit = null; // not a checkout (an installed package)
  }
  const cpu = cpus();
  const machine = `${cpu[0]?.model ?? "unknown CPU"} x${cpu.length}, ${Math.round(totalmem() / 2 ** 30)} GiB, ${platform()}`;
  return { gitCommit, nodeVersion: process.version, machine };
}

export function encodeSamples(samplesMs: readonly number[]): Buffer {
  const buffer = Buffer.alloc(samplesMs.length * 4);
  for (let i = 0; i < samplesMs.length; i += 1) buffer.writeFloatLE(samplesMs[i] ?? 0, i * 4);
  return buffer;
}

export function decodeSamples(buffer: Uint8Array | ArrayBuffer | null): number[] {
  if (buffer === null) return [];
  const bytes =
    buffer instanceof ArrayBuffer
      ? Buffer.from(buffer)
      : Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const out: number[] = [];
  for (let i = 0; i + 4 <= bytes.byteLength; i += 4) out.push(bytes.readFloatLE(i));
  return out;
}

/** Stores a finished CLI run; with `name` it joins that baseline. Returns the run's id. */
export async function saveRun(
  db: Client,
  input: {
    name: string | null;
    params: unknown;
    result: LoadResult;
    samplesMs: readonly number[];
    provenance: RunProvenance;
    now?: number;
  },
): Promise<string> {
  const id = `lt-${randomUUID()}`;
  const now = input.now ?? Date.now();
  await db.execute({
    sql: `INSERT INTO load_test_runs (id, name, status, origin, created_at, finished_at, git_commit, node_version,
      machine, params, result, samples) VALUES (?, ?, 'done', 'cli', ?, ?, ?, ?, ?, ?, ?, ?)`,
    args: [
      id,
      input.name,
      now,
      now,
      input.provenance.gitCommit,
      input.provenance.nodeVersion,
      input.provenance.machine,
      JSON.stringify(input.params),
      JSON.stringify(input.result),
      encodeSamples(input.samplesMs),
    ],
  });
  return id;
}

/** Every sample of every finished run of a baseline, pooled; NotFoundError when it has none. */
export async function baselineSamples(
  db: Client,
  name: string,
): Promise<{ runs: number; samplesMs: number[] }> {
  const rs = await db.execute({
    sql: "SELECT samples FROM load_test_runs WHERE name = ? AND status = 'done' ORDER BY created_at",
    args: [name],
  });
  if (rs.rows.length === 0)
    throw new NotFoundError(`no baseline named ${JSON.stringify(name)} (save one with --save --name)`);
  const samplesMs = rs.rows.flatMap((r) => decodeSamples(r.samples as ArrayBuffer | null));
  return { runs: rs.rows.length, samplesMs };
}
