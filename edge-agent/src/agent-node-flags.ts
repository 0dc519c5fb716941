/**
 * Node.js flags the long-running agent (`piwardrive-edge run`) is started with; deploy/piwardrive-edge.service
 * uses them (a test checks), and so do `npm run bench:edge-memory` and the writer phase of
 * `npm run bench:ingest`.
 *
 * V8 doubles its young generation each time enough objects have survived since the last growth, up to
 * 16 MB per semi-space, and a process that runs for days always gets there: the store and writer at a
 * steady 2,000 sightings/s went from ~72 to ~81 MB RSS about 50 s in. Capping a semi-space at 2 MB kept
 * them at ~74 MB (docs/benchmarks.md). Not for bulk `import`, which allocates fast: with this cap a
 * 1,000,000-row import took ~9 % longer and peaked 14 MB higher, so it is not in the CLI's shebang.
 */
export const AGENT_NODE_FLAGS: readonly string[] = ["--max-semi-space-size=2"];
