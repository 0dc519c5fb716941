export * from "./auth-mode.js";
export * from "./mac.js";
export * from "./observation-check.js";
export * from "./observation-columns.js";
export * from "./observation-record.js";
export * from "./radio.js";
export * from "./ssid.js";
export * from "./time.js";
