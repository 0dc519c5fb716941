import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

/*
 * The folders are layers and imports run one way, down: events/ (what every source yields) under gps/ and
 * sources/; inside sources/, files/ under parsers/ under import/ and live/. This test stands in for
 * `madge --circular` (not installed): it reads every relative import under src/ and looks for cycles between
 * files, and between folders: in the code, and with the tests too for events/, gps/ and sources/ (elsewhere a
 * test may import from a folder above its own, e.g. guards' tests parse a config with env.ts). test-support/
 * is left out of the folder graph: it is the tests' harness, built on the store and imported everywhere.
 */
const SRC = import.meta.dirname;
const IMPORT = /(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts"))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** file (relative to src) -> the src files it imports. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const targets = [...readFileSync(file, "utf8").matchAll(IMPORT)].map((match) =>
      relative(SRC, resolve(dirname(file), (match[1] ?? "").replace(/\.js$/, ".ts"))),
    );
    graph.set(relative(SRC, file), targets);
  }
  return graph;
}

/** One cycle of the graph as a path of nodes, or null when it has none. */
function findCycle(graph: Map<string, Set<string>>): string[] | null {
  const state = new Map<string, "open" | "done">();
  const path: string[] = [];
  const visit = (node: string): string[] | null => {
    if (state.get(node) === "done") return null;
    if (state.get(node) === "open") return [...path.slice(path.indexOf(node)), node];
    state.set(node, "open");
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(node, "done");
    return null;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return null;
}

/** A file's folder; a file at the top of src (index.ts, env.ts) stands for itself. */
const folderOf = (file: string) => (dirname(file) === "." ? file : dirname(file));
const isHarness = (file: string) => file.startsWith("test-support");

/** Folder -> the folders its files import (leaving out the harness). */
function folderGraph(files: [string, string[]][]): Map<string, Set<string>> {
  const folders = new Map<string, Set<string>>();
  for (const [file, targets] of files) {
    const edges = folders.get(folderOf(file)) ?? new Set<string>();
    for (const target of targets) {
      if (!isHarness(target) && folderOf(target) !== folderOf(file)) edges.add(folderOf(target));
    }
    folders.set(folderOf(file), edges);
  }
  return folders;
}

const SOURCE_LAYERS = ["events", "gps", "sources"];

describe("edge-agent import graph", () => {
  const graph = importGraph();

  it("resolves every relative import to a file under src", () => {
    const missing = [...graph].flatMap(([file, targets]) =>
      targets.filter((target) => !graph.has(target)).map((target) => `${file} -> ${target}`),
    );
    expect(missing).toEqual([]);
  });

  it("has no cycle between files", () => {
    const files = new Map([...graph].map(([file, targets]) => [file, new Set(targets)]));
    expect(findCycle(files)).toBeNull();
  });

  it("has no cycle between folders in the code, and none among the source layers with their tests", () => {
    const code = [...graph].filter(([file]) => !file.endsWith(".test.ts") && !isHarness(file));
    expect(findCycle(folderGraph(code))).toBeNull();
    const layers = [...graph].filter(([file]) => SOURCE_LAYERS.some((layer) => file.startsWith(`${layer}/`)));
    const sourceFolders = folderGraph(layers);
    expect(findCycle(sourceFolders)).toBeNull();
    expect(sourceFolders.get("events")).toEqual(new Set());
    expect(sourceFolders.get("sources/files")).toEqual(new Set());
  });

  it("keeps gps/ below sources/: its code imports only events/ (its tests read fixtures with sources/files/)", () => {
    const gpsCode = [...graph].filter(([file]) => folderOf(file) === "gps" && !file.endsWith(".test.ts"));
    const below = new Set(gpsCode.flatMap(([, targets]) => targets.map(folderOf)).filter((f) => f !== "gps"));
    expect(gpsCode.length).toBeGreaterThan(0);
    expect(below).toEqual(new Set(["events"]));
  });
});
