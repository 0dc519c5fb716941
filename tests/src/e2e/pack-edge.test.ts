import { execFile, spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { loadAgentConfig } from "@piwardrive/edge-agent";
import { afterAll, describe, expect, it } from "vitest";
import { fixture, REPO_ROOT } from "./harness/paths.js";
import { freePort, waitFor } from "./harness/processes.js";
import { type ReadmeCommand, readmeBlocks, readmeCommands } from "./harness/readme-commands.js";

const exec = promisify(execFile);

/**
 * The README's "Install on a Raspberry Pi", run as written with its absolute paths moved into a temp
 * directory: pack on the built tree, "scp" (a copy), `npm install -g --prefix ... --omit=dev` from the real
 * registry, the config file, the token file, and the systemd unit's own ExecStart (systemd itself is not
 * here), stopped with the unit's KillSignal. Every command line of the section must be one of the steps.
 */
const SECTION = "Install on a Raspberry Pi";
/** What a board must never get: the benchmarks' native floor, compilers, build and test tooling. */
const FORBIDDEN = ["better-sqlite3", "typescript", "node-gyp", "vitest", "turbo", "@biomejs", "drizzle-kit"];

const dir = mkdtempSync(join(tmpdir(), "pwd-pack-edge-"));
const root = join(dir, "board");
const home = join(dir, "home");
const out = join(dir, "out");
const deviceId = "pi-pack-test";
const token = "token-from-devices-add";

/** The section's absolute paths, moved under `root`. */
const onBoard = (line: string) =>
  line.replace(
    /(^|[\s'=])\/(opt|etc|var|usr\/local)\//g,
    (_m, before: string, top: string) => `${before}${root}/${top}/`,
  );

/** The child npm must not inherit the settings of an `npm test` / `npm run` above this test. */
const cleanEnv = (): NodeJS.ProcessEnv => {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  return { ...env, PATH: `${join(root, "usr/local/bin")}:${env.PATH ?? ""}` };
};

/**
 * A README line in a shell. The install fetches from the registry: on a busy machine it has taken close to
 * two minutes (10 s when quiet), hence the generous bound; a failure carries the command's own output.
 */
const sh = async (line: string, cwd = home) => {
  try {
    return await exec("sh", ["-c", line], {
      cwd,
      env: cleanEnv(),
      timeout: 300_000,
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const e = error as Error & { stdout?: string; stderr?: string; killed?: boolean };
    throw new Error(
      `${line} failed${e.killed ? " (killed after 300 s)" : ""}:\n${e.stderr ?? ""}\n${e.stdout ?? ""}`.slice(
        0,
        4000,
      ),
    );
  }
};

const prefix = join(root, "opt/piwardrive");
const measured = { installMs: 0, installedBytes: 0 };
let tarball = "";

interface Step {
  matches: RegExp;
  run: (line: string) => Promise<void>;
}

const STEPS: Step[] = [
  {
    // `npm run pack:edge` is `npm run build && node deploy/pack-edge.mjs`: the tree is built, run the pack.
    matches: /^npm run pack:edge$/,
    run: async () => {
      const script = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")).scripts["pack:edge"];
      expect(script).toBe("npm run build && node deploy/pack-edge.mjs");
      const { stdout } = await exec(process.execPath, ["deploy/pack-edge.mjs", "--out-dir", out], {
        cwd: REPO_ROOT,
        env: cleanEnv(),
      });
      tarball = stdout.trim().split("\n").at(-1) ?? "";
      expect(tarball.startsWith("/"), `last line is an absolute path: ${stdout}`).toBe(true);
      expect(existsSync(tarball)).toBe(true);
    },
  },
  {
    // The board is this machine: the copy lands in `home`, where the next commands run.
    matches: /^scp dist\/edge\/(\S+) \S+@\S+:$/,
    run: async (line) => {
      const pattern = /^scp dist\/edge\/(\S+)/.exec(line)?.[1] ?? "";
      const matching = readdirSync(out).filter((f) => globToRegExp(pattern).test(f));
      expect(matching, `the README's ${pattern} names the packed file`).toEqual([tarball.split("/").at(-1)]);
      copyFileSync(join(out, matching[0] ?? ""), join(home, matching[0] ?? ""));
    },
  },
  {
    matches: /^sudo npm install -g --prefix \/opt\/piwardrive --omit=dev \.\/\S+\.tgz$/,
    run: async (line) => {
      const started = performance.now();
      await sh(onBoard(line.replace(/^sudo /, "")));
      measured.installMs = performance.now() - started;
      const du = await exec("du", ["-sb", prefix]);
      measured.installedBytes = Number(du.stdout.split("\t")[0]);
    },
  },
  {
    matches: /^sudo (ln -sf|mkdir -p|cp) /,
    run: async (line) => {
      mkdirSync(join(root, "usr/local/bin"), { recursive: true });
      mkdirSync(join(root, "etc/systemd/system"), { recursive: true });
      await sh(onBoard(line.replace(/^sudo /, "")));
    },
  },
  {
    // The editor step: the file is the README's JSON block, with the device id from `devices add` and, on this
    // machine without Wi-Fi or gpsd, a scan that prints a real `iw` capture and a cloud that is not there.
    matches: /^sudo nano \/etc\/piwardrive\/agent\.json$/,
    run: async () => {
      const config = readmeAgentConfig();
      const path = join(root, "etc/piwardrive/agent.json");
      await writeFile(path, JSON.stringify(config));
      expect(loadAgentConfig(path).deviceId).toBe(deviceId);
      const here = {
        ...config,
        db: onBoard(String(config.db)),
        cloudUrl: `http://127.0.0.1:${await freePort()}`,
        scan: { ...(config.scan as object), command: ["cat", fixture("iw-scan/jc_centos-7.7_iw-scan0.out")] },
      };
      await writeFile(path, JSON.stringify(here));
      expect(loadAgentConfig(path).scan?.format).toBe("iw");
    },
  },
  {
    matches: /^echo 'PIWARDRIVE_EDGE_SYNC_TOKEN=<token>' \| sudo tee \/etc\/piwardrive\/edge\.env /,
    run: async (line) => {
      await sh(onBoard(line.replace("<token>", token).replaceAll("sudo ", "")));
      expect(readFileSync(join(root, "etc/piwardrive/edge.env"), "utf8").trim()).toBe(
        `PIWARDRIVE_EDGE_SYNC_TOKEN=${token}`,
      );
    },
  },
  {
    matches: /^sudo systemctl enable --now piwardrive-edge$/,
    run: runUnit,
  },
  {
    matches: /^piwardrive-edge status --db \/var\/lib\/piwardrive\/edge\.db$/,
    run: async (line) => {
      const { stdout } = await sh(onBoard(line));
      expect(stdout).toMatch(/observations\D+[1-9]/);
    },
  },
];

/** What systemd would do: EnvironmentFile, ExecStart, then KillSignal on stop. */
async function runUnit(): Promise<void> {
  const unit = readFileSync(join(root, "etc/systemd/system/piwardrive-edge.service"), "utf8");
  const setting = (key: string) => new RegExp(`^${key}=(.+)$`, "m").exec(unit)?.[1] ?? "";
  const envFile = onBoard(setting("EnvironmentFile").replace(/^-/, ""));
  const fromFile = Object.fromEntries(
    readFileSync(envFile, "utf8")
      .split("\n")
      .filter((l) => l.includes("="))
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
  const [node, ...args] = onBoard(setting("ExecStart")).split(/\s+/);
  expect(node).toBe("/usr/bin/node");
  expect(existsSync(args.find((a) => a.endsWith(".js")) ?? ""), "ExecStart names the installed script").toBe(
    true,
  );
  const agent = spawn(process.execPath, args, {
    env: { ...cleanEnv(), ...fromFile },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let log = "";
  agent.stderr.on("data", (d: Buffer) => {
    log += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => agent.once("close", resolve));
  try {
    await waitFor("the agent's ready line", () => (log.includes("running (db") ? true : undefined), 30_000);
    const status = () =>
      exec(join(prefix, "bin/piwardrive-edge"), [
        "status",
        "--json",
        "--db",
        onBoard("/var/lib/piwardrive/edge.db"),
      ]);
    await waitFor("a scan in the store", async () => {
      const counts = JSON.parse((await status()).stdout).counts as { observations: number };
      return counts.observations > 0 ? true : undefined;
    });
  } finally {
    agent.kill(setting("KillSignal") as NodeJS.Signals);
  }
  expect(await exited, log).toBe(0);
  expect(log).toContain("stopped");
}

function readmeAgentConfig(): Record<string, unknown> {
  const blocks = readmeBlocks().filter((b) => b.section === SECTION && b.lang === "json");
  expect(blocks).toHaveLength(1);
  return JSON.parse((blocks[0]?.text ?? "").replace("<id>", deviceId));
}

function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`);
}

/** Every package folder under the prefix's lib/node_modules, as a path (`a/node_modules/@s/b`), scopes skipped. */
function installedPaths(modules = join(prefix, "lib/node_modules"), base = ""): string[] {
  const found: string[] = [];
  for (const name of readdirSync(modules)) {
    if (name.startsWith(".")) continue;
    const inScope = name.startsWith("@")
      ? readdirSync(join(modules, name)).map((n) => `${name}/${n}`)
      : [name];
    for (const pkg of inScope) {
      found.push(`${base}${pkg}`);
      const nested = join(modules, pkg, "node_modules");
      if (existsSync(nested)) found.push(...installedPaths(nested, `${base}${pkg}/node_modules/`));
    }
  }
  return found;
}

/** `@scope/name` or `name` of an installed path. */
const packageName = (path: string) => path.split("/node_modules/").at(-1) ?? path;

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the packed edge agent, installed the way the README installs it on a Pi", () => {
  it("packs one tarball, installs without dev dependencies or a compiler, and runs as the unit starts it", async () => {
    mkdirSync(home, { recursive: true });
    const commands: ReadmeCommand[] = readmeCommands().filter((c) => c.section === SECTION);
    expect(commands.length).toBeGreaterThan(5);
    for (const command of commands) {
      const step = STEPS.find((s) => s.matches.test(command.line));
      expect(step, `README.md:${command.lineNo} "${command.line}" has no step in this test`).toBeDefined();
      await step?.run(command.line);
    }

    const bin = join(prefix, "bin/piwardrive-edge");
    const { version } = JSON.parse(readFileSync(join(REPO_ROOT, "edge-agent/package.json"), "utf8"));
    expect((await exec(bin, ["--version"])).stdout.trim()).toBe(version);
    const doctor = await exec(bin, ["doctor", "--db", onBoard("/var/lib/piwardrive/edge.db")]);
    expect(doctor.stdout).toMatch(/journal_mode\W+wal/i);

    const paths = installedPaths();
    const packages = paths.map(packageName);
    expect(packages).toContain("@libsql/client");
    for (const name of FORBIDDEN) {
      expect(
        packages.filter((p) => p === name || p.startsWith(`${name}/`)),
        `${name} is installed`,
      ).toEqual([]);
    }
    // The only native code is libSQL's prebuilt binary (nothing was compiled: no build/ of node-gyp).
    const native = (await exec("find", [prefix, "-name", "*.node"])).stdout.trim().split("\n");
    for (const file of native) expect(file).toMatch(/\/node_modules\/@libsql\/linux-[^/]+\/index\.node$/);

    // The figures docs/install-on-pi.md quotes.
    process.stdout.write(
      `pack-edge: installed_bytes=${measured.installedBytes} install_s=${(measured.installMs / 1000).toFixed(1)} packages=${packages.length}\n`,
    );
  }, 420_000);
});
