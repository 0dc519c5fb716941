export * from "./batched-writer.js";
export * from "./edge-store.js";
export * from "./hot-queries.js";
export * from "./network-rollup.js";
export * from "./tuning.js";
