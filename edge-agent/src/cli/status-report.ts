import type { EdgeStore } from "../store/edge-store.js";
import { acknowledgedSeq } from "../store/retention.js";

export interface SyncTargetStatus {
  target: string;
  ackedSeq: number;
  /** Observations this target has not acknowledged yet. */
  backlog: number;
  nextBatchSeq: number;
  lastSuccessAt: number | null;
  lastErrorAt: number | null;
  lastError: string | null;
  nextAttemptAt: number | null;
  updatedAt: number;
}

export interface HealthStatus {
  sampledAt: number;
  ageMs: number;
  rssMb: number | null;
  availableMemMb: number | null;
  diskFreeMb: number | null;
  socTempC: number | null;
  eventLoopLagMs: number | null;
  writerQueueDepth: number | null;
  /** The guard decisions and actions the agent recorded (memory, disk, heat, lag, actions, ...). */
  guards: Record<string, unknown>;
  /** The writer's counters at sampling time, when the agent recorded them. */
  writer: Record<string, unknown> | null;
}

export interface StatusReport {
  db: string;
  counts: {
    observations: number;
    networks: number;
    networksByKind: Record<string, number>;
    gpsFixes: number;
    importedFiles: number;
  };
  backlog: {
    /** Observations not yet acknowledged by every target (all of them when there is no target). */
    observations: number;
    ackedSeq: number | null;
    /** The highest seq ever assigned (AUTOINCREMENT keeps it after retention deletes rows). */
    lastSeq: number | null;
  };
  sync: SyncTargetStatus[];
  health: HealthStatus | null;
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

async function countOf(store: EdgeStore, sql: string, args: number[] = []): Promise<number> {
  const rs = await store.execute({ sql, args });
  return Number(rs.rows[0]?.[0] ?? 0);
}

/** Everything `status` shows: what is stored, what is waiting for the cloud, what the guards last did. */
export async function collectStatusReport(store: EdgeStore, now: number = Date.now()): Promise<StatusReport> {
  const byKind = await store.execute("SELECT kind, count(*) AS n FROM networks GROUP BY kind ORDER BY kind");
  const networksByKind = Object.fromEntries(byKind.rows.map((r) => [String(r.kind), Number(r.n)]));
  const ackedSeq = await acknowledgedSeq(store);
  const lastSeq = await store.execute("SELECT seq FROM sqlite_sequence WHERE name='observations'");

  const syncRows = await store.execute("SELECT * FROM sync_state ORDER BY target");
  const sync: SyncTargetStatus[] = [];
  for (const r of syncRows.rows) {
    sync.push({
      target: String(r.target),
      ackedSeq: Number(r.acked_seq),
      backlog: await countOf(store, "SELECT count(*) FROM observations WHERE seq > ?", [Number(r.acked_seq)]),
      nextBatchSeq: Number(r.next_batch_seq),
      lastSuccessAt: num(r.last_success_at),
      lastErrorAt: num(r.last_error_at),
      lastError: r.last_error === null ? null : String(r.last_error),
      nextAttemptAt: num(r.next_attempt_at),
      updatedAt: Number(r.updated_at),
    });
  }

  return {
    db: store.path,
    counts: {
      observations: await countOf(store, "SELECT count(*) FROM observations"),
      networks: Object.values(networksByKind).reduce((a, b) => a + b, 0),
      networksByKind,
      gpsFixes: await countOf(store, "SELECT count(*) FROM gps_fixes"),
      importedFiles: await countOf(store, "SELECT count(*) FROM imported_files"),
    },
    backlog: {
      observations: await countOf(store, "SELECT count(*) FROM observations WHERE seq > ?", [ackedSeq ?? 0]),
      ackedSeq,
      lastSeq: num(lastSeq.rows[0]?.seq),
    },
    sync,
    health: await latestHealth(store, now),
  };
}

async function latestHealth(store: EdgeStore, now: number): Promise<HealthStatus | null> {
  const rs = await store.execute("SELECT * FROM health_samples ORDER BY id DESC LIMIT 1");
  const r = rs.rows[0];
  if (r === undefined) return null;
  let guards: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(String(r.guards));
    if (parsed !== null && typeof parsed === "object") guards = parsed as Record<string, unknown>;
  } catch {
    guards = { unreadable: String(r.guards) };
  }
  const { writer, ...states } = guards;
  return {
    sampledAt: Number(r.sampled_at),
    ageMs: now - Number(r.sampled_at),
    rssMb: num(r.rss_mb),
    availableMemMb: num(r.available_mem_mb),
    diskFreeMb: num(r.disk_free_mb),
    socTempC: num(r.soc_temp_c),
    eventLoopLagMs: num(r.event_loop_lag_ms),
    writerQueueDepth: num(r.writer_queue_depth),
    guards: states,
    writer: writer !== null && typeof writer === "object" ? (writer as Record<string, unknown>) : null,
  };
}
