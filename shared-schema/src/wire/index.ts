export * from "./decode-batch.js";
export * from "./delta-batch.js";
export * from "./encode-batch.js";
