export * as cloud from "./cloud/index.js";
export * from "./domain/index.js";
export * as edge from "./edge/index.js";
export * from "./validation/index.js";
