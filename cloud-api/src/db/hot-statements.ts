import type { Client, InStatement, InValue } from "@libsql/client";
import { emptyObservation } from "@piwardrive/shared-schema";
import type { WireObservation } from "@piwardrive/shared-schema/wire";
import { cellsCovering } from "../analyst/geo-cells.js";
import { networkDetailStatement } from "../analyst/network-detail.js";
import type { NetworkFilters, NetworkSort } from "../analyst/network-filters.js";
import {
  candidateCountStatement,
  indexedFilters,
  networkHistoryStatement,
  networkSearchStatement,
} from "../analyst/network-search.js";
import { observationPageSql } from "../analyst/observation-search.js";
import { networkPageStatement, observationPageStatement } from "../exports/export-query.js";
import { dropPayloadStatements } from "../maintenance/run-maintenance.js";
import { mergePlan } from "../services/merge-statements.js";
import { landedBatchesStatement } from "../workers/reconciler.js";
import { explainPlan } from "./statement-stats.js";

/*
 * The statements the cloud runs all the time, built by the very functions the routes and the merge call
 * (so a change there changes what is checked): analyst search, detail, observation pages, export pages,
 * every statement of a merge transaction, the reconciler's pass and the auth lookups. `doctor` prints
 * their plans; db/hot-statements.test.ts fails when one of them SCANs a large table.
 */

/** An export page statement with its paging arguments bound (one stretch after rowid 1000). */
function exportPage(page: { sql: string; args: Record<string, InValue> }): InStatement {
  return { sql: page.sql, args: { ...page.args, after: 1000, stop: 21_000, page: 2000 } };
}

export interface HotStatement {
  name: string;
  statement: InStatement;
  /** Run first on the same connection (the merge's TEMP staging tables), not explained. */
  setup?: InStatement[];
  /** Writes (merge and retention steps) are only explained, never run by doctor. */
  writes?: true;
}

/**
 * Tables that grow with the sightings: a full SCAN of one of them is a bug. (devices and api_keys hold a
 * row per board or key; scanning them is cheap and SQLite rightly does when they are tiny.)
 */
export const LARGE_TABLES = [
  "observations",
  "networks",
  "network_history",
  "network_devices",
  "network_days",
  "ssid_history",
  "landed_batches",
  "alerts",
  "webhook_deliveries",
] as const;

const SAMPLE_MAC = "02:00:5e:10:00:01";
const SAMPLE_KEY = { deviceId: "dev-hot", runId: "run-hot", batchSeq: 1 };

function sampleRows(now: number): WireObservation[] {
  return [0, 1, 2].map((i) => ({
    ...emptyObservation({ kind: "wifi", mac: SAMPLE_MAC, seenAt: now - i * 1000, source: "doctor" }),
    seq: i + 1,
    ssid: "home",
    rssiDbm: -50 - i,
    lat: -33.87,
    lon: 151.21,
  }));
}

function search(name: string, filters: NetworkFilters, sort: NetworkSort = "-lastSeen"): HotStatement {
  return { name, statement: networkSearchStatement({ filters, sort, limit: 50 }, 1, undefined) };
}

/** A search answered from the index of its first indexed filter (its candidate count, then its page). */
function searchByIndex(name: string, filters: NetworkFilters): HotStatement[] {
  const [path] = indexedFilters(filters);
  if (path === undefined) throw new Error(`${name}: no indexed filter`);
  const query = { filters, sort: "-lastSeen" as const, limit: 50 };
  return [
    { name: `${name}_count`, statement: candidateCountStatement(path, 2000) },
    { name, statement: networkSearchStatement(query, 1, undefined, path) },
  ];
}

/** Every hot statement with representative arguments. */
export function hotStatements(now: number = Date.now()): HotStatement[] {
  const dayAgo = now - 24 * 3600 * 1000;
  const bbox = { minLon: 151.1, maxLon: 151.3, minLat: -33.95, maxLat: -33.8 };
  const streets = { minLon: 151.2, maxLon: 151.215, minLat: -33.875, maxLat: -33.865 };
  const byMac = observationPageSql({ mac: SAMPLE_MAC }, undefined, 100);
  const byTime = observationPageSql({ since: dayAgo, until: now }, undefined, 100);
  const byMacTime = observationPageSql({ mac: SAMPLE_MAC, since: dayAgo }, undefined, 100);
  const merge = mergePlan(SAMPLE_KEY, sampleRows(now), now);
  // CREATE TEMP TABLE / INDEX statements set up the stage the others read; they are run, not explained.
  const setup = merge.statements.filter((s) => /^\s*CREATE\b/i.test(typeof s === "string" ? s : s.sql));
  const mergeSteps = merge.statements
    .filter((s) => !setup.includes(s))
    .map((statement, i) => ({
      name: `merge_${String(i + 1).padStart(2, "0")}`,
      statement,
      setup,
      writes: true as const,
    }));
  return [
    search("networks_by_last_seen", {}),
    search("networks_oldest_first", {}, "lastSeen"),
    search("networks_by_rssi", {}, "-rssi"),
    search("networks_in_bbox", { bbox }),
    search("networks_seen_since", { since: dayAgo }),
    search("networks_ssid_prefix", { ssidPrefix: "home" }),
    search("networks_of_device", { device: SAMPLE_KEY.deviceId }),
    {
      name: "networks_in_small_bbox",
      statement: networkSearchStatement(
        { filters: { bbox: streets }, sort: "-lastSeen", limit: 50 },
        1,
        undefined,
        {
          kind: "cells",
          cells: cellsCovering(streets),
        },
      ),
    },
    ...searchByIndex("networks_ssid_prefix_by_index", { ssidPrefix: "home" }),
    ...searchByIndex("networks_ssid_by_index", { ssid: "home" }),
    {
      name: "networks_as_of_history",
      statement: networkHistoryStatement({ filters: { bbox }, sort: "-lastSeen", limit: 50 }, 1, undefined),
    },
    {
      name: "networks_next_page",
      statement: networkSearchStatement({ filters: { bbox }, sort: "-lastSeen", limit: 50 }, 1, [
        now,
        SAMPLE_MAC,
      ]),
    },
    { name: "network_detail", statement: networkDetailStatement(SAMPLE_MAC) },
    { name: "observations_by_mac", statement: byMac.hits },
    { name: "observations_by_mac_edge", statement: byMac.edge },
    { name: "observations_by_time", statement: byTime.hits },
    { name: "observations_by_time_edge", statement: byTime.edge },
    { name: "observations_by_mac_and_time", statement: byMacTime.hits },
    { name: "export_observations_page", statement: exportPage(observationPageStatement({})) },
    { name: "export_networks_page", statement: exportPage(networkPageStatement({}, 1)) },
    {
      name: "export_observations_by_mac_page",
      statement: exportPage(observationPageStatement({ mac: "02:00:00:00:00:01" })),
    },
    ...mergeSteps,
    { name: "reconciler_landed_batches", statement: landedBatchesStatement(5000) },
    ...dropPayloadStatements(now - 7 * 24 * 3600 * 1000, now, 500).map((statement, i) => ({
      name: `retention_${i === 0 ? "sizes" : "drop"}`,
      statement,
      writes: true as const,
    })),
    {
      name: "device_by_token",
      statement: {
        sql: "SELECT id, name, created_at, revoked_at, last_seen_at FROM devices WHERE token_hash = ?",
        args: ["x"],
      },
    },
    {
      name: "api_key_by_hash",
      statement: { sql: "SELECT id, role, revoked_at FROM api_keys WHERE key_hash = ?", args: ["x"] },
    },
  ];
}

export interface PlanCheck {
  name: string;
  sql: string;
  plan: string[];
  /** Plan lines that read a whole large table (no index): each one is a problem. */
  fullScans: string[];
  /** The table each of those lines scans. */
  scannedTables: string[];
}

/**
 * A plan line `SCAN <table or alias>` without `USING ... INDEX` reads the whole table. An index SCAN
 * (`SCAN networks USING INDEX ...`) is the bounded, ordered walk the keyset queries are built on (their
 * LIMIT stops it), so it passes. Aliases are resolved from the statement's FROM/JOIN clauses.
 */
export function fullScansOfLargeTables(sql: string, plan: readonly string[]): string[] {
  return largeTableScans(sql, plan).map((s) => s.line);
}

function largeTableScans(sql: string, plan: readonly string[]): { line: string; table: string }[] {
  const aliases = new Map<string, string>();
  for (const m of sql.matchAll(/\b(?:FROM|JOIN|UPDATE|INTO)\s+([\w.]+)(?:\s+(?:AS\s+)?(\w+))?/gi)) {
    const table = (m[1] ?? "").replace(/^(main|temp)\./i, "").toLowerCase();
    aliases.set(table, table);
    const alias = m[2]?.toLowerCase();
    if (
      alias !== undefined &&
      !/^(where|on|set|select|values|using|group|order|limit|left|cross|inner|join)$/i.test(alias)
    ) {
      aliases.set(alias, table);
    }
  }
  const large = new Set<string>(LARGE_TABLES);
  const scans: { line: string; table: string }[] = [];
  for (const line of plan) {
    const m = /^SCAN (?:(main|temp)\.)?(\w+)(.*)$/.exec(line.trim());
    if (m === null || m[1] === "temp") continue;
    if (/USING (COVERING )?INDEX|USING INTEGER PRIMARY KEY/.test(m[3] ?? "")) continue;
    const name = (m[2] ?? "").toLowerCase();
    const table = aliases.get(name) ?? name;
    if (large.has(table)) scans.push({ line, table });
  }
  return scans;
}

/** Explains every hot statement on `db` (running each one's setup first) and flags full scans. */
export async function checkHotStatements(db: Client, now: number = Date.now()): Promise<PlanCheck[]> {
  const checks: PlanCheck[] = [];
  const done = new Set<InStatement>();
  for (const hot of hotStatements(now)) {
    for (const s of hot.setup ?? []) {
      if (done.has(s)) continue;
      await db.execute(s);
      done.add(s);
    }
    const sql = typeof hot.statement === "string" ? hot.statement : hot.statement.sql;
    const plan = await explainPlan(db, hot.statement);
    const scans = largeTableScans(sql, plan);
    checks.push({
      name: hot.name,
      sql,
      plan,
      fullScans: scans.map((s) => s.line),
      scannedTables: scans.map((s) => s.table),
    });
  }
  return checks;
}
