// The store and writer load only libSQL, the migrations and plain shared-schema modules (no zod, no drizzle
// tables, no parsers): the edge's memory budget. `@piwardrive/edge-agent/store` exports just this folder.
export * from "./batched-writer.js";
export * from "./edge-store.js";
export * from "./file-space.js";
export * from "./hot-queries.js";
export * from "./maintenance.js";
export * from "./network-rollup.js";
export * from "./retention.js";
export * from "./tuning.js";
export {
  NETWORK_UPSERT_COLUMNS,
  NETWORK_UPSERT_CONFLICT,
  networkValues,
  type SqlValue,
} from "./write-statements.js";
