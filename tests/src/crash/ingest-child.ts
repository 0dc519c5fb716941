/**
 * Child process of writer-crash.test.ts: opens the edge store at --db (synchronous=NORMAL) and ingests
 * synthetic sightings through the BatchedWriter (default options) as fast as it can, until it is killed.
 * It prints `ready <runId> <maxBatchRows>` once the store is open and, after every committed flush (once
 * `batch()` returned),
 * `committed <firstSeq> <lastSeq> <count>`. stdout is a pipe, and pipe writes are synchronous on Linux:
 * a line that was printed reached the parent even if SIGKILL arrives right after it.
 */
import { totalmem } from "node:os";
import { BatchedWriter, EdgeStore, profileForMemory, tuningFor } from "@piwardrive/edge-agent";
import { numberArg, stringArg } from "../bench/args.js";
import { inChunks, syntheticObservations } from "../bench/synthetic-observations.js";

const argv = process.argv.slice(2);
const path = stringArg(argv, "db");
if (path === undefined) throw new Error("usage: ingest-child --db <path> [--seed n]");
const seed = Math.floor(numberArg(argv, "seed", 1));

const store = await EdgeStore.open({
  path,
  tuning: tuningFor(profileForMemory(totalmem()), { synchronous: "NORMAL" }),
});
const writer = new BatchedWriter(store, {
  onFlush: (r) => {
    if (r.observations > 0) process.stdout.write(`committed ${r.firstSeq} ${r.lastSeq} ${r.observations}\n`);
  },
});
process.stdout.write(`ready ${writer.runId} ${writer.maxBatchRows}\n`);

// 5,000 transmitters: every batch updates networks rows that earlier rounds created.
const rows = syntheticObservations({ rows: Number.MAX_SAFE_INTEGER, seed, distinct: 5_000 });
for (const chunk of inChunks(rows, 500)) await writer.write(chunk);
