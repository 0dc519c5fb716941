export * from "./sources/source-event.js";
export * from "./store/index.js";
