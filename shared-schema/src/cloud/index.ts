export * from "./devices.js";
export * from "./landed-batches.js";
export * from "./load-tests.js";
export * from "./merge-generation.js";
export * from "./networks.js";
export * from "./observations.js";
export * from "./stored-reports.js";
export * from "./system-samples.js";
