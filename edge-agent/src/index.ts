export * from "./env.js";
export * from "./guards/index.js";
export * from "./sources/source-event.js";
export * from "./store/index.js";
