export * from "./record-schemas.js";
