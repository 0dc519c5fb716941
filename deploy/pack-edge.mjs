#!/usr/bin/env node
// Packs the edge agent for a board: ONE tarball that `npm install -g <tarball>` turns into a working
// `piwardrive-edge`, with no compiler and no dev dependency. It holds edge-agent's bin/ and dist/, and the
// workspace packages it imports (@piwardrive/shared-schema, @piwardrive/migrations) as bundled dependencies,
// each exactly as its own `npm pack` would ship it (its `files`). Everything else is an ordinary dependency
// fetched from the registry; libSQL's native code comes from its prebuilt platform packages
// (@libsql/linux-arm64-gnu, @libsql/linux-arm-gnueabihf, ...), optional dependencies of `libsql`.
//
// Usage: node deploy/pack-edge.mjs [--out-dir <dir>]   (run `npm run build` first; `npm run pack:edge` does)
// The last line printed is the tarball's absolute path.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const AGENT = "edge-agent";
/** The workspace packages the agent imports, by folder; they are shipped inside the tarball. */
const BUNDLED = ["shared-schema", "migrations"];
const UNIT = "piwardrive-edge.service";

const { values } = parseArgs({ options: { "out-dir": { type: "string" } } });
const outDir = resolve(values["out-dir"] ?? join(ROOT, "dist", "edge"));

const readJson = (path) => JSON.parse(readFileSync(path, "utf8"));
const npm = (args, cwd) =>
  execFileSync("npm", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });

for (const folder of [AGENT, ...BUNDLED]) {
  if (!existsSync(join(ROOT, folder, "dist"))) {
    process.stderr.write(`pack-edge: ${folder}/dist is missing; run \`npm run build\` first\n`);
    process.exit(1);
  }
}

const work = mkdtempSync(join(tmpdir(), "pwd-pack-edge-"));
try {
  const stage = join(work, "package");
  const agent = readJson(join(ROOT, AGENT, "package.json"));
  const bundledNames = BUNDLED.map((folder) => readJson(join(ROOT, folder, "package.json")).name);
  /** name -> version of the workspace packages shipped inside. */
  const bundled = {};
  // A bundled package's own dependencies must be installable beside the agent's: they become the agent's.
  const dependencies = {};
  const addDependencies = (from, deps) => {
    for (const [name, version] of Object.entries(deps ?? {})) {
      if (bundledNames.includes(name)) continue;
      if (name.startsWith("@piwardrive/"))
        throw new Error(`${from} needs ${name}: add its folder to BUNDLED`);
      if (dependencies[name] !== undefined && dependencies[name] !== version) {
        throw new Error(`${from} wants ${name}@${version}, another package ${dependencies[name]}`);
      }
      dependencies[name] = version;
    }
  };
  addDependencies(agent.name, agent.dependencies);

  // Each package as its own `npm pack` ships it, unpacked into the stage.
  const unpack = (folder, into) => {
    const [packed] = JSON.parse(npm(["pack", "--json", "--pack-destination", work], join(ROOT, folder)));
    mkdirSync(into, { recursive: true });
    execFileSync("tar", ["-xzf", join(work, packed.filename), "-C", into, "--strip-components=1"]);
    rmSync(join(work, packed.filename));
  };
  unpack(AGENT, stage);
  for (const folder of BUNDLED) {
    const pkg = readJson(join(ROOT, folder, "package.json"));
    const into = join(stage, "node_modules", ...pkg.name.split("/"));
    unpack(folder, into);
    addDependencies(pkg.name, pkg.dependencies);
    // Only what Node reads at run time. Its dependencies are declared by the agent instead (Node finds them
    // one level up): npm would take a bundled package's own dependencies to be inside the bundle too, and
    // leave their folders empty.
    const { dependencies: _deps, devDependencies: _dev, scripts: _scripts, ...installed } = pkg;
    writeFileSync(join(into, "package.json"), `${JSON.stringify(installed, null, 2)}\n`);
    bundled[pkg.name] = pkg.version;
  }

  const { devDependencies: _dev, scripts: _scripts, private: _private, ...manifest } = agent;
  const external = Object.entries(dependencies).sort(([a], [b]) => a.localeCompare(b));
  const packed = {
    ...manifest,
    dependencies: { ...Object.fromEntries(external), ...bundled },
    bundleDependencies: Object.keys(bundled),
    engines: readJson(join(ROOT, "package.json")).engines,
    files: [...agent.files, "deploy"],
  };
  // The systemd unit travels with the agent: the board has no copy of the repository.
  mkdirSync(join(stage, "deploy"));
  cpSync(join(ROOT, "deploy", UNIT), join(stage, "deploy", UNIT));
  writeFileSync(join(stage, "package.json"), `${JSON.stringify(packed, null, 2)}\n`);

  mkdirSync(outDir, { recursive: true });
  const [tarball] = JSON.parse(npm(["pack", "--json", "--pack-destination", outDir], stage));
  const path = join(outDir, tarball.filename);
  process.stdout.write(
    `packed ${tarball.entryCount} files, ${tarball.size} bytes (${tarball.unpackedSize} unpacked)\n`,
  );
  process.stdout.write(`${path}\n`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
