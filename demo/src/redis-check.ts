import { spawnSync } from "node:child_process";
import { createConnection } from "node:net";

/** One PING over a raw socket: true when something at host:port answers +PONG. */
export function redisAnswers(port: number, host = "127.0.0.1", timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data) => done(data.toString("latin1").startsWith("+PONG")));
  });
}

export type RedisOutcome = { kind: "running" } | { kind: "started" } | { kind: "missing"; hint: string };

export const INSTALL_HINT =
  "Redis is not running on 127.0.0.1 and redis-server is not installed.\n" +
  "Install it (Debian/Ubuntu/Raspberry Pi OS):  sudo apt-get install -y redis-server\n" +
  "then run `npm start` again.";

/**
 * Makes sure Redis answers on 127.0.0.1:port: if not, starts a throw-away redis-server (no persistence,
 * daemonized so it outlives the demo like a system service would) when the binary exists.
 */
export async function ensureRedis(port: number): Promise<RedisOutcome> {
  if (await redisAnswers(port)) return { kind: "running" };
  const which = spawnSync("sh", ["-c", "command -v redis-server"], { encoding: "utf8" });
  if (which.status !== 0 || which.stdout.trim() === "") return { kind: "missing", hint: INSTALL_HINT };
  const started = spawnSync(
    "redis-server",
    ["--daemonize", "yes", "--port", String(port), "--save", "", "--appendonly", "no"],
    { encoding: "utf8" },
  );
  if (started.status !== 0) {
    return { kind: "missing", hint: `redis-server failed to start: ${started.stderr || started.stdout}` };
  }
  for (let i = 0; i < 50; i++) {
    if (await redisAnswers(port)) return { kind: "started" };
    await new Promise((r) => setTimeout(r, 100));
  }
  return { kind: "missing", hint: `redis-server started but does not answer on port ${port}` };
}
