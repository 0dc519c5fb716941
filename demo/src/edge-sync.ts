import type { Children } from "./children.js";
import { edgeCli } from "./cloud-processes.js";

export interface SyncResult {
  batchesSent: number;
  observationsSent: number;
  duplicates: number;
  bytesSent: number;
  backlog: number;
}

/** Runs the edge agent's `sync --once --json` as a child process (the token travels in its environment). */
export async function syncOnce(
  children: Children,
  input: { db: string; cloudUrl: string; deviceId: string; token: string },
): Promise<SyncResult> {
  const out = await children.run(
    process.execPath,
    [
      edgeCli,
      "sync",
      "--once",
      "--json",
      "--db",
      input.db,
      "--cloud",
      input.cloudUrl,
      "--device",
      input.deviceId,
    ],
    { PIWARDRIVE_EDGE_SYNC_TOKEN: input.token },
  );
  return JSON.parse(out) as SyncResult;
}
