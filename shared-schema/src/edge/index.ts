export * from "./gps-fixes.js";
export * from "./health-samples.js";
export * from "./imported-files.js";
export * from "./networks.js";
export * from "./observations.js";
export * from "./slow-queries.js";
export * from "./sync-state.js";
