export * from "./agent-headers.js";
export * from "./decode-batch.js";
export * from "./delta-batch.js";
export * from "./encode-batch.js";
export { groupTransmitters, type TransmitterAttributes } from "./transmitter-table.js";
