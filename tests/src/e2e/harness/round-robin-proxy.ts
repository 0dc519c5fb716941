import { once } from "node:events";
import { createServer, type IncomingMessage, request, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A load balancer in miniature: each HTTP request goes to the next upstream port in turn. An upstream that
 * refuses the connection (its process is dead) is skipped for the next one, as a balancer's health check
 * would; a request an upstream accepted and then lost (killed mid-request) is answered 502, which the edge
 * retries. `served` counts the requests each upstream answered.
 */
export class RoundRobinProxy {
  readonly served = new Map<number, number>();
  #next = 0;
  #server = createServer((req, res) => {
    void this.#forward(req, res);
  });

  constructor(readonly upstreams: number[]) {}

  async start(): Promise<string> {
    this.#server.listen(0, "127.0.0.1");
    await once(this.#server, "listening");
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async #forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    for (let tried = 0; tried < this.upstreams.length; tried++) {
      const port = this.upstreams[this.#next++ % this.upstreams.length] as number;
      const outcome = await this.#try(port, req, body, res);
      if (outcome === "answered") {
        this.served.set(port, (this.served.get(port) ?? 0) + 1);
        return;
      }
      if (outcome === "lost") break;
    }
    if (res.destroyed) return;
    if (!res.headersSent) res.writeHead(502, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: { code: "bad_gateway", message: "no upstream answered" } }));
  }

  /** "refused": nothing reached the upstream, try another; "lost": it may have seen the request. */
  #try(port: number, req: IncomingMessage, body: Buffer, res: ServerResponse) {
    return new Promise<"answered" | "refused" | "lost">((resolve) => {
      const upstream = request(
        { host: "127.0.0.1", port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          answer.on("end", () => resolve("answered"));
          answer.on("error", () => {
            res.destroy();
            resolve("lost");
          });
        },
      );
      upstream.on("error", (error: NodeJS.ErrnoException) =>
        resolve(error.code === "ECONNREFUSED" ? "refused" : "lost"),
      );
      upstream.end(body);
    });
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    this.#server.close();
    await once(this.#server, "close");
  }
}
