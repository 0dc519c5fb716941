import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "./harness/paths.js";

const run = promisify(execFile);

/**
 * The README's CLIs as a user starts them after `npm ci && npm run build`: through `npx --no-install`, which
 * resolves node_modules/.bin and never goes to the registry. A bin that is not linked, or whose target is not
 * executable, fails here (the tests elsewhere run `node dist/...` and would not notice).
 */
const BINS = [
  { bin: "piwardrive-edge", pkg: "edge-agent", help: "import" },
  { bin: "piwardrive-cloud", pkg: "cloud-api", help: "serve" },
  { bin: "piwardrive-demo", pkg: "demo", help: "--data-dir" },
] as const;

const npx = (args: string[]) =>
  run("npx", ["--no-install", ...args], {
    cwd: REPO_ROOT,
    timeout: 60_000,
    env: { ...process.env, CI: "true" },
  });

describe("the documented bins, run the way a user runs them", () => {
  for (const { bin, pkg, help } of BINS) {
    it(`${bin} answers --help and --version through npx --no-install`, async () => {
      const helpOut = await npx([bin, "--help"]);
      expect(helpOut.stdout).toContain(`Usage: ${bin}`);
      expect(helpOut.stdout).toContain(help);
      const { version } = JSON.parse(readFileSync(join(REPO_ROOT, pkg, "package.json"), "utf8")) as {
        version: string;
      };
      const versionOut = await npx([bin, "--version"]);
      expect(versionOut.stdout.trim()).toBe(version);
    });
  }

  it("piwardrive-cloud migrate and keys add run as the README writes them", async () => {
    const db = join(mkdtempSync(join(tmpdir(), "pwd-bins-")), "cloud.db");
    await npx(["piwardrive-cloud", "migrate", "--db", db]);
    const { stdout } = await npx([
      "piwardrive-cloud",
      "keys",
      "add",
      "--role",
      "analyst",
      "--json",
      "--db",
      db,
    ]);
    const key = JSON.parse(stdout) as { id: string; key: string };
    expect(key.id.length).toBeGreaterThan(0);
    expect(key.key.length).toBeGreaterThan(16);
  });
});
