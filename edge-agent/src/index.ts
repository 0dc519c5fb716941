export { AGENT_NODE_FLAGS } from "./agent-node-flags.js";
export { type AgentConfig, AgentConfigError, agentConfigSchema, loadAgentConfig } from "./config-file.js";
export * from "./env.js";
export * from "./events/source-event.js";
export { GpsTagger } from "./gps/gps-tagger.js";
export * from "./guards/index.js";
export * from "./sources/import/format-names.js";
export { detectFormat, FORMAT_SPECS, type FormatReader, type FormatSpec } from "./sources/import/formats.js";
export {
  IMPORT_WRITER_OPTIONS,
  type ImportFileOptions,
  type ImportSummary,
  importFile,
} from "./sources/import/import-file.js";
export * from "./store/index.js";
