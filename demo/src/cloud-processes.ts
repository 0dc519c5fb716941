import type { ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { Children } from "./children.js";

const require = createRequire(import.meta.url);

/** The built CLIs of the packages the demo sits on (each package's main is dist/index.js). */
export const cloudCli = join(dirname(require.resolve("@piwardrive/cloud-api")), "cli", "main.js");
export const edgeCli = join(dirname(require.resolve("@piwardrive/edge-agent")), "cli", "main.js");

export interface CloudLocation {
  db: string;
  queuePrefix: string;
  redisUrl: string;
}

export interface RunningCloud {
  url: string;
  api: ChildProcess;
  worker: ChildProcess;
}

const cloud = (children: Children, args: string[]) => children.run(process.execPath, [cloudCli, ...args]);

export async function migrateCloud(children: Children, at: CloudLocation): Promise<void> {
  await cloud(children, ["migrate", "--db", at.db]);
}

export async function addDevice(children: Children, at: CloudLocation, name: string) {
  const out = await cloud(children, ["devices", "add", name, "--json", "--db", at.db]);
  return JSON.parse(out) as { id: string; token: string };
}

export async function addOperatorKey(children: Children, at: CloudLocation) {
  return addKey(children, at, "operator");
}

export async function addKey(children: Children, at: CloudLocation, role: "analyst" | "operator") {
  const out = await cloud(children, ["keys", "add", "--role", role, "--json", "--db", at.db]);
  return JSON.parse(out) as { id: string; key: string };
}

/**
 * Starts `piwardrive-cloud serve` and `piwardrive-cloud worker` as child processes (the shape of a real
 * deployment) and resolves with the API's URL once it logs that it listens. Their JSON logs go to
 * `log` so the demo's own output stays readable.
 */
export async function startCloud(
  children: Children,
  at: CloudLocation & { port: number },
  log: (line: string) => void,
): Promise<RunningCloud> {
  const shared = ["--db", at.db, "--queue-prefix", at.queuePrefix, "--redis", at.redisUrl];
  const api = children.spawn(process.execPath, [
    cloudCli,
    "serve",
    ...shared,
    "--port",
    String(at.port),
    "--host",
    "127.0.0.1",
  ]);
  const worker = children.spawn(process.execPath, [cloudCli, "worker", ...shared]);
  for (const child of [api, worker]) {
    child.stdout?.on("data", (d: Buffer) => log(d.toString("utf8")));
  }
  worker.stderr?.on("data", (d: Buffer) => log(d.toString("utf8")));
  const url = await new Promise<string>((resolve, reject) => {
    let buffered = "";
    const onExit = (code: number | null) => reject(new Error(`the API exited (${code}) before listening`));
    api.once("exit", onExit);
    api.stderr?.on("data", (d: Buffer) => {
      const text = d.toString("utf8");
      log(text);
      buffered += text;
      const match = /"message":"api listening","url":"([^"]+)"/.exec(buffered);
      if (match?.[1]) {
        api.off("exit", onExit);
        resolve(match[1]);
      }
    });
  });
  return { url, api, worker };
}
