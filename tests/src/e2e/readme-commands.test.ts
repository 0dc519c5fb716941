import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fixture, REPO_ROOT } from "./harness/paths.js";
import {
  type Child,
  freePort,
  killAllChildren,
  killChild,
  run,
  spawnChild,
  waitFor,
} from "./harness/processes.js";
import { type ReadmeCommand, readmeCommands } from "./harness/readme-commands.js";
import { deleteQueueKeys } from "./harness/redis.js";
import { type Instantiation, instantiate, usageWords } from "./harness/usage-line.js";

/**
 * Every command line of the README's ```sh blocks, run the way a user runs it: through `npx --no-install`
 * on the built tree, with the README's placeholders filled by real values this test makes with the
 * documented commands themselves (keys, a device, a cloud on a free port, the real Redis under a queue
 * prefix of its own, temp libSQL files). Each line is checked twice: its subcommand and every option it
 * shows must be in the subcommand's `--help`, and it must run (long-running ones until their ready line,
 * then Ctrl-C). A README line no case here covers fails the test, and so does a case whose line is gone.
 * The "Install on a Raspberry Pi" lines are pack-edge.test.ts's (it runs them against the packed tarball).
 */
const PI_SECTION = "Install on a Raspberry Pi";

const dir = mkdtempSync(join(tmpdir(), "pwd-readme-"));
const prefix = `test-readme-${randomUUID()}`;
const redisUrl = "redis://127.0.0.1:6379";
const edgeDb = join(dir, "edge.db");
const cloudDb = join(dir, "cloud.db");
const agentConfig = join(dir, "agent.json");
const wigleFiles = [
  fixture("wigle-csv/bruce-m5stack-cardputer_wifi+ble_1.6.csv"),
  fixture("wigle-csv/wigle-android-2.25_xiaomi-mi6_small_1.4.csv"),
];

/** What the documented commands made, for the placeholders of the later ones. */
const made = { apiPort: 0, analystKey: "", device: { id: "", token: "" }, mac: "" };
const background: Child[] = [];

/**
 * The lines without `--db`, `--port` or `--queue-prefix` read these: the temp files, a second free port,
 * this test's queue prefix. Nothing here touches the repository's ./data.
 */
let sparePort = 0;
const env = (): NodeJS.ProcessEnv => ({
  PIWARDRIVE_CLOUD_DB: cloudDb,
  PIWARDRIVE_EDGE_DB: edgeDb,
  PIWARDRIVE_QUEUE_PREFIX: prefix,
  PIWARDRIVE_REDIS_URL: redisUrl,
  PORT: String(sparePort),
  HOST: "127.0.0.1",
});

const apiUrl = () => `http://127.0.0.1:${made.apiPort}`;

/** The README's literals and placeholders, as this test fills them. */
const values = (): Record<string, string | string[]> => ({
  "<files...>": wigleFiles,
  "data/edge.db": edgeDb,
  "data/cloud.db": cloudDb,
  "agent.json": agentConfig,
  "http://127.0.0.1:8080": apiUrl(),
  "8080": String(made.apiPort),
  "<id>": made.device.id,
  "<token>": made.device.token,
  "<name>": "readme-pi",
  "<n>": "2",
  "<analyst key>": made.analystKey,
  "<baseline>": "readme-baseline",
  "<mac>": made.mac,
  "minLon,minLat,maxLon,maxLat": "-180,-90,180,90",
});

/** The argv of a README line (without `npx`), as `how` instantiates it. */
function argvOf(command: ReadmeCommand, how: Partial<Instantiation> = {}): string[] {
  const argv = instantiate(command.line, { optional: "none", values: values(), ...how });
  expect(argv[0]).toBe("npx");
  return argv.slice(1);
}

async function npx(argv: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return run("npx", ["--no-install", ...argv], env());
}

/** Runs to completion; exit 0 expected unless `codes` says otherwise. */
async function runs(argv: string[], codes: number[] = [0]) {
  const result = await npx(argv);
  expect(codes, `npx ${argv.join(" ")} exited ${result.code}:\n${result.stderr}`).toContain(result.code);
  return result;
}

/**
 * Starts a long-running line and waits for its ready line. `stop` is Ctrl-C for the command itself: SIGINT
 * to the bin's node process (npx, like a shell, dies of a SIGINT to the whole group and would hide how the
 * command ended), then npx must exit 0 and the output show a clean stop.
 */
async function starts(argv: string[], ready: RegExp, extraEnv: NodeJS.ProcessEnv = {}) {
  const child = spawnChild(argv.join(" "), "npx", ["--no-install", ...argv], { ...env(), ...extraEnv });
  try {
    await waitFor(`${argv.join(" ")}: ${ready}`, () => {
      if (child.proc.exitCode !== null) throw new Error(`exited ${child.proc.exitCode}: ${child.output()}`);
      return ready.test(child.output()) ? true : undefined;
    });
  } catch (error) {
    await killChild(child);
    throw error;
  }
  return {
    child,
    stop: async (stopped: RegExp) => {
      const ps = await run("ps", ["-o", "pid=,args=", "-g", String(child.proc.pid)]);
      const bin = ps.stdout
        .split("\n")
        .find((l) => l.includes(`/.bin/${argv[0]} `) && /^\s*\d+\s+node /.test(l));
      expect(bin, `the node process of ${argv[0]} in:\n${ps.stdout}`).toBeDefined();
      process.kill(Number(bin?.trim().split(/\s+/)[0]), "SIGINT");
      expect(await child.exited, child.output()).toBe(0);
      expect(child.output()).toMatch(stopped);
    },
  };
}

async function api<T>(path: string): Promise<T> {
  const res = await fetch(`${apiUrl()}${path}`, { headers: { authorization: `Bearer ${made.analystKey}` } });
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
}

interface Case {
  /** `piwardrive-edge import`, or the whole line for the npm ones. */
  command: string;
  run: (lines: ReadmeCommand[]) => Promise<void>;
}

const the = (lines: ReadmeCommand[]): ReadmeCommand => {
  expect(lines).toHaveLength(1);
  return lines[0] as ReadmeCommand;
};

/** In the order they run: each may use what the ones before made. */
const CASES: Case[] = [
  {
    // `npm ci` refuses a lockfile out of step with the manifests; the tree itself is installed already.
    command: "npm ci && npm test",
    run: async () => {
      const rootPkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8"));
      const lock = JSON.parse(readFileSync(join(REPO_ROOT, "package-lock.json"), "utf8"));
      for (const folder of ["", ...(rootPkg.workspaces as string[])]) {
        const pkg = JSON.parse(readFileSync(join(REPO_ROOT, folder, "package.json"), "utf8"));
        for (const field of ["dependencies", "devDependencies"]) {
          expect(lock.packages[folder]?.[field] ?? {}, `package-lock.json "${folder}" ${field}`).toEqual(
            pkg[field] ?? {},
          );
        }
      }
      // What the README says `npm test` does, and that this file is among the tests it runs.
      expect(rootPkg.scripts.test).toBe(
        "npm run build && npm run lint && npm run typecheck && turbo run test --concurrency=1",
      );
      const testsPkg = JSON.parse(readFileSync(join(REPO_ROOT, "tests/package.json"), "utf8"));
      expect(testsPkg.scripts.test).toBe("vitest run");
    },
  },
  {
    command: "piwardrive-cloud migrate",
    run: async (lines) => {
      const { stdout } = await runs(argvOf(the(lines)));
      expect(stdout).toContain(`migrated ${cloudDb}`);
    },
  },
  {
    command: "piwardrive-cloud keys add",
    run: async (lines) => {
      const key = JSON.parse((await runs(argvOf(the(lines)))).stdout) as { id: string; key: string };
      expect(key.key.length).toBeGreaterThan(16);
      made.analystKey = key.key;
    },
  },
  {
    command: "piwardrive-cloud devices add",
    run: async (lines) => {
      made.device = JSON.parse((await runs(argvOf(the(lines)))).stdout) as { id: string; token: string };
      expect(made.device.token.length).toBeGreaterThan(16);
    },
  },
  {
    command: "piwardrive-cloud serve",
    run: async (lines) => {
      const line = the(lines);
      // As written (PORT from the environment), then with every option: that one stays up for the rest.
      const bare = await starts(argvOf(line), /"message":"api listening"/);
      expect(bare.child.output()).toContain(`"port":${sparePort}`);
      await bare.stop(/"message":"shutting down","signal":"SIGINT"/);
      const full = await starts(argvOf(line, { optional: "all" }), /"message":"api listening"/);
      background.push(full.child);
      expect(full.child.output()).toContain(`"port":${made.apiPort}`);
      expect(await api<{ observations: number }>("/v1/stats")).toMatchObject({ observations: 0 });
    },
  },
  {
    command: "piwardrive-cloud worker",
    run: async (lines) => {
      const line = the(lines);
      const bare = await starts(argvOf(line), /"message":"merge worker started"/);
      await bare.stop(/"message":"shutting down"/);
      const full = await starts(argvOf(line, { optional: "all" }), /"message":"merge worker started"/);
      expect(full.child.output()).toMatch(/"concurrency":2/);
      background.push(full.child);
    },
  },
  {
    command: "piwardrive-edge import",
    run: async (lines) => {
      const line = the(lines);
      const report = JSON.parse((await runs(argvOf(line, { optional: "all" }))).stdout) as {
        files: { observations: number; format: string }[];
      };
      expect(report.files.map((f) => f.format)).toEqual(["wigle", "wigle"]);
      expect(report.files.every((f) => f.observations > 0)).toBe(true);
      // As written (no --db: PIWARDRIVE_EDGE_DB, the same file): both files are known already.
      expect((await runs(argvOf(line))).stdout).toContain("0 imported, 2 skipped, 0 failed");
    },
  },
  {
    command: "piwardrive-edge doctor",
    run: async (lines) => {
      const line = the(lines);
      expect((await runs(argvOf(line))).stdout).toMatch(/journal_mode\s+wal\s+\[wal\]/);
      const doctor = JSON.parse((await runs(argvOf(line, { optional: "all" }))).stdout) as object;
      expect(JSON.stringify(doctor)).toContain(edgeDb);
    },
  },
  {
    command: "piwardrive-edge status",
    run: async (lines) => {
      const line = the(lines);
      expect((await runs(argvOf(line))).stdout).toContain("observations");
      const status = JSON.parse((await runs(argvOf(line, { optional: "all" }))).stdout) as {
        counts: { observations: number };
        backlog: { observations: number };
      };
      expect(status.counts.observations).toBeGreaterThan(100);
      expect(status.backlog.observations).toBe(status.counts.observations);
    },
  },
  {
    command: "piwardrive-edge sync",
    run: async (lines) => {
      const line = the(lines);
      const once = JSON.parse((await runs(argvOf(line, { optional: "all" }))).stdout) as {
        observationsSent: number;
        backlog: number;
      };
      expect(once.observationsSent).toBeGreaterThan(100);
      expect(once.backlog).toBe(0);
      // Without --once it syncs until Ctrl-C (a round prints a line only when it sends something).
      const continuous = await starts(argvOf(line), /syncing to http:\S+ until SIGINT/);
      await continuous.stop(/syncing to/);
    },
  },
  {
    command: "piwardrive-edge run",
    run: async (lines) => {
      // The agent on its own db, replaying a real `iw` capture and syncing to this cloud.
      writeFileSync(
        agentConfig,
        JSON.stringify({
          db: "run-edge.db",
          deviceId: made.device.id,
          cloudUrl: apiUrl(),
          replay: { files: [fixture("iw-scan/jc_centos-7.7_iw-scan1.out")], speed: 0 },
          sync: { intervalMs: 500, maxBatchAgeMs: 500 },
        }),
      );
      const agent = await starts(argvOf(the(lines)), /synced \d+ observations/, {
        PIWARDRIVE_EDGE_SYNC_TOKEN: made.device.token,
      });
      await agent.stop(/SIGINT: stopping[\s\S]*stopped/);
      expect(existsSync(join(dir, "run-edge.db"))).toBe(true);
      // What both syncs sent is merged by the worker started above.
      await waitFor("every landed batch merged", async () => {
        const stats = await api<{ observations: number; batches: { landed: number; merged: number } }>(
          "/v1/stats",
        );
        return stats.batches.landed >= 2 && stats.batches.merged === stats.batches.landed ? stats : undefined;
      });
    },
  },
  {
    command: "piwardrive-cloud devices list",
    run: async (lines) => {
      const line = the(lines);
      expect((await runs(argvOf(line))).stdout).toContain("readme-pi");
      const devices = JSON.parse((await runs(argvOf(line, { optional: "all" }))).stdout) as {
        name: string;
        observations: number;
      }[];
      const pi = devices.find((d) => d.name === "readme-pi");
      // the device `sync` and `run` used: its sightings are merged by now
      expect(pi?.observations).toBeGreaterThan(100);
    },
  },
  {
    command: "piwardrive-cloud doctor",
    run: async (lines) => {
      const line = the(lines);
      expect((await runs(argvOf(line))).stdout).toMatch(/journal_mode\s+wal \| wal/);
      const doctor = JSON.parse((await runs(argvOf(line, { optional: "all" }))).stdout) as {
        db: string;
        connections: { pragmas: { journal_mode: string } }[];
      };
      expect(doctor.db).toBe(cloudDb);
      expect(doctor.connections.map((c) => c.pragmas.journal_mode)).toEqual(["wal", "wal"]);
    },
  },
  {
    command: "piwardrive-cloud loadtest http",
    run: async (lines) => {
      const line = the(lines);
      const short = { optionValues: { "--duration": "1", "--warmup": "1" } };
      // Exit 2 is a threshold that did not hold on this shared machine: a result, not a broken command.
      const bare = await runs(argvOf(line, short), [0, 2]);
      expect(bare.stdout).toMatch(/requests, [\d.]+ req\/s achieved/);
      const saved = JSON.parse(
        (
          await runs(
            argvOf(line, {
              ...short,
              optional: ["--warmup", "--connections", "--threshold", "--save", "--name", "--json"],
            }),
            [0, 2],
          )
        ).stdout,
      ) as { thresholds: { ok: boolean }[] };
      expect(saved.thresholds).toHaveLength(1);
      const compared = await runs(argvOf(line, { ...short, optional: "all" }), [0, 2]);
      expect(JSON.parse(compared.stdout)).toHaveProperty("comparison");
    },
  },
  {
    command: "piwardrive-cloud loadtest db",
    run: async (lines) => {
      const line = the(lines);
      const short = { optionValues: { "--duration": "1", "--warmup": "0", "--batch-size": "100" } };
      expect((await runs(argvOf(line, short))).stdout).toMatch(/readers, 1 writers .* ops\/s/);
      const result = JSON.parse(
        (await runs(argvOf(line, { ...short, optional: ["--warmup", "--batch-size", "--json"] }))).stdout,
      ) as { kind: string; copied: boolean; operations: Record<string, { requests: number }> };
      expect(result).toMatchObject({ kind: "db", copied: true });
      expect(result.operations.merge?.requests).toBeGreaterThan(0);
      expect(result.operations.network_detail?.requests).toBeGreaterThan(0);
    },
  },
  {
    command: "piwardrive-cloud report",
    run: async (lines) => {
      const line = the(lines);
      for (const kind of ["performance", "fleet", "coverage"]) {
        const pick = { "performance|fleet|coverage": kind };
        expect((await runs(argvOf(line, { pick }))).stdout).toMatch(/^<!doctype html>/i);
        const out = join(dir, `${kind}.json`);
        await runs(
          argvOf(line, {
            optional: "all",
            pick: { ...pick, "html|json": "json" },
            values: { ...values(), FILE: out },
            optionValues: {
              "--since": new Date(Date.now() - 86_400_000).toISOString(),
              "--until": String(Date.now() + 60_000),
            },
          }),
        );
        expect(JSON.parse(readFileSync(out, "utf8"))).toHaveProperty("kind", kind);
      }
    },
  },
  {
    command: "piwardrive-cloud export",
    run: async (lines) => {
      const line = the(lines);
      const formats = {
        wigle: /^WigleWifi-1\.6/,
        csv: /^\uFEFF?\S/,
        geojson: /"FeatureCollection"/,
        kml: /<kml /,
      };
      for (const [format, looks] of Object.entries(formats)) {
        const { stdout } = await runs(argvOf(line, { pick: { "wigle|csv|geojson|kml": format } }));
        expect(stdout).toMatch(looks);
        if (format === "wigle")
          made.mac =
            stdout
              .split("\n")
              .find((r) => /,WIFI\r?$/.test(r))
              ?.split(",")[0] ?? "";
      }
      expect(made.mac).toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
      const out = join(dir, "one-network.wigle.csv");
      await runs(
        argvOf(line, {
          optional: "all",
          values: { ...values(), FILE: out },
          optionValues: { "--since": "2000-01-01T00:00:00Z", "--until": String(Date.now() + 60_000) },
        }),
      );
      const rows = readFileSync(out, "utf8").trim().split("\n").slice(2);
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) expect(row.startsWith(`${made.mac},`)).toBe(true);
    },
  },
  {
    // `npm start` is `npm run build && node demo/dist/main.js`; the tree is built, so: the demo, until Ctrl-C.
    command: "npm ci && npm start",
    run: async () => {
      const start = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")).scripts.start as string;
      expect(start).toBe("npm run build && node demo/dist/main.js");
      const demo = spawnChild("demo", process.execPath, [join(REPO_ROOT, "demo/dist/main.js")], {
        PIWARDRIVE_DEMO_DATA_DIR: join(dir, "demo-data"),
        PIWARDRIVE_DEMO_PORT: "0",
        PIWARDRIVE_DEMO_QUEUE_PREFIX: `${prefix}-demo`,
      });
      try {
        await waitFor(
          "the demo serving",
          () => (/Ctrl-C to stop/.test(demo.output()) ? true : undefined),
          90_000,
        );
        const url = /^API\s+(http:\S+)/m.exec(demo.output())?.[1];
        const key = /^operator key\s+(\S+)/m.exec(demo.output())?.[1];
        const res = await fetch(`${url}/v1/stats`, { headers: { authorization: `Bearer ${key}` } });
        expect(res.status).toBe(200);
        expect(((await res.json()) as { observations: number }).observations).toBeGreaterThan(0);
      } finally {
        await killChild(demo, "SIGINT");
      }
      expect(demo.output()).toMatch(/stopped\.\s*$/);
      await deleteQueueKeys(redisUrl, `${prefix}-demo`);
    },
  },
];

/** `piwardrive-edge import` for `npx piwardrive-edge import <files...> ...`; npm lines are their own key. */
function commandOf(line: string): string {
  if (!line.startsWith("npx ")) return line;
  const words = usageWords(line).slice(1);
  const end = words.findIndex((w) => /^[-<'"]/.test(w) || w.includes("|"));
  return words.slice(0, end === -1 ? undefined : end).join(" ");
}

const documented = readmeCommands().filter((c) => c.section !== PI_SECTION);

afterAll(async () => {
  for (const child of background) await killChild(child, "SIGINT");
  await killAllChildren();
  await deleteQueueKeys(redisUrl, prefix);
  rmSync(dir, { recursive: true, force: true });
});

describe("every command line in README.md", () => {
  it("is covered by a case here, and every case by a README line", () => {
    expect(documented.length).toBeGreaterThan(10);
    const known = new Set(CASES.map((c) => c.command));
    for (const { line, lineNo } of documented) {
      expect(known.has(commandOf(line)), `README.md:${lineNo} "${line}" has no case in this test`).toBe(true);
    }
    const inReadme = new Set(documented.map((c) => commandOf(c.line)));
    for (const { command } of CASES)
      expect(inReadme.has(command), `"${command}" is no longer in the README`).toBe(true);
  });

  it("names a subcommand that exists, with options its --help lists", async () => {
    for (const { line, lineNo } of documented.filter((c) => c.line.startsWith("npx "))) {
      const command = commandOf(line).split(" ");
      const { code, stdout } = await npx([...command, "--help"]);
      expect(code, `README.md:${lineNo}: ${command.join(" ")} --help`).toBe(0);
      expect(stdout, `README.md:${lineNo}: ${command.join(" ")} is a subcommand`).toContain(
        `Usage: ${command.join(" ")} `,
      );
      for (const option of usageWords(line).filter((w) => /^--[a-z]/.test(w))) {
        const name = option.split("=")[0] ?? option;
        expect(stdout, `README.md:${lineNo}: ${command.join(" ")} accepts ${name}`).toMatch(
          new RegExp(`(^|[\\s,])${name}([\\s,=]|$)`, "m"),
        );
      }
    }
  });

  for (const c of CASES) {
    it(`runs: ${c.command}`, async () => {
      if (made.apiPort === 0) [made.apiPort, sparePort] = [await freePort(), await freePort()];
      await c.run(documented.filter((d) => commandOf(d.line) === c.command));
    });
  }
});
