export { AGENT_NODE_FLAGS } from "./agent-node-flags.js";
export * from "./env.js";
export { GpsTagger } from "./gps/gps-tagger.js";
export * from "./guards/index.js";
export { detectFormat, FORMAT_SPECS, type FormatReader, type FormatSpec } from "./sources/formats.js";
export {
  IMPORT_WRITER_OPTIONS,
  type ImportFileOptions,
  type ImportSummary,
  importFile,
} from "./sources/import-file.js";
export * from "./sources/source-event.js";
export * from "./store/index.js";
