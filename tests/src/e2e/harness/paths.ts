import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The monorepo root (tests/src/e2e/harness -> ../../../..). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");
export const FIXTURES_DIR = resolve(REPO_ROOT, "../shared/fixtures");
export const EDGE_CLI = resolve(REPO_ROOT, "edge-agent/dist/cli/main.js");
export const CLOUD_CLI = resolve(REPO_ROOT, "cloud-api/dist/cli/main.js");

export function fixture(relativePath: string): string {
  return resolve(FIXTURES_DIR, relativePath);
}
