import type { Client } from "@libsql/client";
import { readDailyStats } from "../analyst/daily-stats.js";
import { readHeatmap } from "../analyst/heatmap.js";
import { getNetworkDetail } from "../analyst/network-detail.js";
import { searchNetworks } from "../analyst/network-search.js";
import { searchObservations } from "../analyst/observation-search.js";

/*
 * The analyst reads a request may hand to a reader thread (read-pool.ts): each takes the database and
 * plain, structured-cloneable arguments, and answers a plain value. They may write only what a read
 * needs (a search pins its merge generation).
 */
export const READ_OPERATIONS = {
  searchNetworks: (db: Client, query: Parameters<typeof searchNetworks>[1]) => searchNetworks(db, query),
  networkDetail: (db: Client, mac: string) => getNetworkDetail(db, mac),
  searchObservations: (db: Client, query: Parameters<typeof searchObservations>[1]) =>
    searchObservations(db, query),
  heatmap: (db: Client, query: Parameters<typeof readHeatmap>[1]) => readHeatmap(db, query),
  dailyStats: (db: Client, query: Parameters<typeof readDailyStats>[1]) => readDailyStats(db, query),
};

export type ReadOperations = typeof READ_OPERATIONS;
export type ReadName = keyof ReadOperations;
export type ReadArgs<K extends ReadName> = ReadOperations[K] extends (db: Client, ...args: infer A) => unknown
  ? A
  : never;
export type ReadResult<K extends ReadName> = Awaited<ReturnType<ReadOperations[K]>>;
