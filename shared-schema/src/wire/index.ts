export * from "./delta-batch.js";
