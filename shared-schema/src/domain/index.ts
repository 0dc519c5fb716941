export * from "./auth-mode.js";
export * from "./mac.js";
export * from "./observation.js";
export * from "./observation-check.js";
export * from "./observation-columns.js";
export * from "./radio.js";
export * from "./ssid.js";
export * from "./time.js";
