import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";

/*
 * A real HTTP server in its own process whose latency the test controls:
 *   GET  /delay?ms=N   answers 200 after N ms (a timer: the server stays responsive meanwhile)
 *   GET  /hello        answers 200 after the current base delay
 *   POST /base?ms=N    sets the base delay of /hello
 *   POST /stall?ms=N   answers, then blocks its event loop for N ms (nothing is served meanwhile)
 *   GET  /status/N     answers with status N
 * It runs in a child so that a stall freezes the server, not the generator measuring it.
 */
const SOURCE = `
import { createServer } from "node:http";
let base = 0;
const server = createServer((req, res) => {
  const url = new URL(req.url, "http://x");
  const ms = Number(url.searchParams.get("ms") ?? 0);
  const reply = (status = 200) => { res.writeHead(status, { "content-type": "text/plain" }); res.end("ok"); };
  req.resume();
  if (url.pathname === "/delay") return void setTimeout(reply, ms);
  if (url.pathname === "/hello") return base > 0 ? void setTimeout(reply, base) : reply();
  if (url.pathname === "/base") { base = ms; return reply(); }
  if (url.pathname === "/stall") {
    reply();
    return void setTimeout(() => { const end = Date.now() + ms; while (Date.now() < end) {} }, 0);
  }
  if (url.pathname.startsWith("/status/")) return reply(Number(url.pathname.slice(8)));
  reply(404);
});
server.keepAliveTimeout = 60000;
server.listen(0, "127.0.0.1", () => process.stdout.write(JSON.stringify({ port: server.address().port }) + "\\n"));
`;

export interface DelayServer {
  url: string;
  child: ChildProcess;
  /** POSTs a control request (`/base?ms=20`, `/stall?ms=1000`). */
  control(path: string): Promise<void>;
  close(): Promise<void>;
}

export async function startDelayServer(): Promise<DelayServer> {
  const child = spawn(process.execPath, ["--input-type=module", "-e", SOURCE], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const [chunk] = (await once(child.stdout!, "data")) as [Buffer];
  const { port } = JSON.parse(chunk.toString("utf8")) as { port: number };
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    child,
    async control(path) {
      const res = await fetch(url + path, { method: "POST" });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`control ${path} answered ${res.status}`);
    },
    async close() {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      await once(child, "exit");
    },
  };
}
