import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createClient } from "@libsql/client";
import { afterAll, describe, expect, it } from "vitest";

/*
 * SIGKILL a process that is ingesting through the BatchedWriter, several times at random moments, each
 * round resuming on the same database; then check that SQLite and the store kept their promises. A killed
 * process cannot lose a commit even with synchronous=NORMAL (the WAL is in the OS page cache; only an OS
 * crash or power cut can drop it), so every flush the child reported is expected to be there exactly.
 */

const CHILD = fileURLToPath(new URL("../../dist/crash/ingest-child.js", import.meta.url));
const CHILD_SOURCE = fileURLToPath(new URL("./ingest-child.ts", import.meta.url));
const ROUNDS = 7;
const seed = Number(process.env.PW_CRASH_SEED ?? Date.now() % 1_000_000);

const dir = mkdtempSync(join(tmpdir(), "pw-writer-crash-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Flush {
  round: number;
  first: number;
  last: number;
  count: number;
}

interface Round {
  runId: string | null;
  /** The child's writer's batch size (its default), as the child reported it. */
  maxBatchRows: number;
  killedAfterMs: number;
  flushes: Flush[];
  stderr: string;
}

/** mulberry32, so a failing sequence of kill delays can be replayed with PW_CRASH_SEED. */
function random(s: number): () => number {
  let a = s >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function assertChildBuilt(): void {
  if (!existsSync(CHILD)) {
    throw new Error(
      `${CHILD} is missing: the crash test runs the compiled child. Build first: npm run build (from the repo root).`,
    );
  }
  if (statSync(CHILD_SOURCE).mtimeMs > statSync(CHILD).mtimeMs) {
    throw new Error(`${CHILD} is older than src/crash/ingest-child.ts: rebuild (npm run build).`);
  }
}

/** Runs the child until `ready`, lets it ingest for `delayMs`, SIGKILLs it, and returns what it printed. */
function runRound(round: number, dbPath: string, delayMs: number): Promise<Round> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(
      process.execPath,
      [CHILD, "--db", dbPath, "--seed", String(seed + round)],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    const result: Round = { runId: null, maxBatchRows: 0, killedAfterMs: delayMs, flushes: [], stderr: "" };
    let pending = "";
    let killTimer: NodeJS.Timeout | undefined;
    const giveUp = setTimeout(() => child.kill("SIGKILL"), 15_000);
    child.stderr?.setEncoding("utf8").on("data", (d: string) => {
      result.stderr += d;
    });
    child.stdout?.setEncoding("utf8").on("data", (d: string) => {
      pending += d;
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) {
        const [word, a, b, c] = line.split(" ");
        if (word === "ready" && a !== undefined && Number(b) > 0) {
          result.runId = a;
          result.maxBatchRows = Number(b);
          killTimer = setTimeout(() => child.kill("SIGKILL"), delayMs);
        } else if (word === "committed") {
          result.flushes.push({ round, first: Number(a), last: Number(b), count: Number(c) });
        } else {
          reject(new Error(`unexpected line from the child: ${JSON.stringify(line)}`));
        }
      }
    });
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(giveUp);
      clearTimeout(killTimer);
      if (signal !== "SIGKILL") {
        reject(
          new Error(
            `round ${round}: child exited by itself (code ${code}, signal ${signal}): ${result.stderr}`,
          ),
        );
      } else if (result.runId === null) {
        reject(new Error(`round ${round}: child never became ready: ${result.stderr}`));
      } else {
        resolve(result);
      }
    });
  });
}

describe("BatchedWriter under SIGKILL", () => {
  it(`loses no reported commit and keeps the database and networks consistent (${ROUNDS} kills, seed ${seed})`, async () => {
    assertChildBuilt();
    const dbPath = join(dir, "edge.db");
    const delays = random(seed);
    const rounds: Round[] = [];
    for (let r = 0; r < ROUNDS; r++)
      rounds.push(await runRound(r, dbPath, 200 + Math.floor(delays() * 1300)));

    const flushes = rounds.flatMap((r) => r.flushes);
    const reported = flushes.reduce((n, f) => n + f.count, 0);
    const context = `seed ${seed}, kills after ${rounds.map((r) => r.killedAfterMs).join("/")} ms`;
    // Otherwise the kills proved nothing: the child must have been killed mid-ingest.
    expect(flushes.length, context).toBeGreaterThanOrEqual(ROUNDS);

    // seq only grows: every round continues after the last commit of the one before.
    for (let k = 1; k < flushes.length; k++) {
      expect(flushes[k]!.first, `${context}: flush ${k} starts after flush ${k - 1}`).toBeGreaterThan(
        flushes[k - 1]!.last,
      );
    }

    const client = createClient({ url: `file:${dbPath}` });
    try {
      const integrity = await client.execute("PRAGMA integrity_check");
      expect(
        integrity.rows.map((row) => row[0]),
        context,
      ).toEqual(["ok"]);

      for (const [r, round] of rounds.entries()) {
        for (const f of round.flushes) {
          expect(f.last - f.first + 1, `${context}: flush ${f.first}-${f.last} is contiguous`).toBe(f.count);
          const rs = await client.execute({
            sql: "SELECT count(*) AS n, count(DISTINCT run_id) AS runs, min(run_id) AS run_id FROM observations WHERE seq BETWEEN ? AND ?",
            args: [f.first, f.last],
          });
          const row = rs.rows[0];
          expect(
            [Number(row?.n), Number(row?.runs), row?.run_id],
            `${context}: round ${r} flush ${f.first}-${f.last} (${f.count} rows) is stored`,
          ).toEqual([f.count, 1, round.runId]);
        }
      }

      const totals = await client.execute(
        "SELECT (SELECT count(*) FROM observations) AS stored, (SELECT coalesce(sum(observation_count), 0) FROM networks) AS counted",
      );
      const stored = Number(totals.rows[0]?.stored);
      const counted = Number(totals.rows[0]?.counted);
      // The upsert commits with its observations: the per-network counts add up to the rows stored.
      expect(counted, context).toBe(stored);
      // A kill between COMMIT and the stdout line can hide at most one committed flush per round.
      expect(stored, context).toBeGreaterThanOrEqual(reported);
      const hideable = rounds.reduce((n, r) => n + r.maxBatchRows, 0);
      expect(stored - reported, context).toBeLessThanOrEqual(hideable);

      // And per network, not just in total.
      const mismatched = await client.execute(
        `SELECT count(*) AS n FROM (SELECT mac, count(*) AS n FROM observations GROUP BY mac) o
           LEFT JOIN networks USING (mac) WHERE networks.observation_count IS NOT o.n`,
      );
      expect(Number(mismatched.rows[0]?.n), context).toBe(0);
    } finally {
      client.close();
    }
  }, 90_000);
});
