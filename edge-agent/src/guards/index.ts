export * from "./guard-policy.js";
export * from "./readings.js";
export * from "./resource-guards.js";
