import { once } from "node:events";
import { connect, createServer, type Server, type Socket } from "node:net";
import { between } from "./random.js";

/**
 * What happens to one TCP connection:
 * - pass: relayed untouched;
 * - drop: closed as soon as it is accepted;
 * - reset: the request is relayed for a random number of bytes, then both sides get a TCP RST (mid-body);
 * - cut-response: the request reaches the server whole, the connection is reset at its first answer byte
 *   (the server did the work, the client never hears of it: the resend must come back `duplicate`);
 * - delay: every chunk in both directions waits a few hundred ms;
 * - stall: accepted and read, but nothing is relayed, so the client's own timeout must end it.
 * Relayed connections are closed shortly after the server's last answer byte: one exchange each.
 */
export type Fault = "pass" | "drop" | "reset" | "cut-response" | "delay" | "stall";

/** A TCP proxy in front of `target` applying `schedule[i]` to the i-th connection (then "pass"). */
export class FaultProxy {
  readonly applied: Record<Fault, number> = {
    pass: 0,
    drop: 0,
    reset: 0,
    "cut-response": 0,
    delay: 0,
    stall: 0,
  };
  #server: Server;
  #sockets = new Set<Socket>();
  #connections = 0;

  constructor(
    readonly targetPort: number,
    readonly schedule: Fault[],
    readonly random: () => number,
  ) {
    this.#server = createServer((client) => this.#handle(client));
  }

  /** Connections accepted so far (the schedule's position). */
  get connections(): number {
    return this.#connections;
  }

  async listen(): Promise<number> {
    this.#server.listen(0, "127.0.0.1");
    await once(this.#server, "listening");
    const address = this.#server.address();
    if (address === null || typeof address === "string") throw new Error("proxy has no port");
    return address.port;
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #track(socket: Socket): Socket {
    this.#sockets.add(socket);
    socket.on("close", () => this.#sockets.delete(socket));
    socket.on("error", () => undefined);
    return socket;
  }

  #handle(client: Socket): void {
    this.#track(client);
    const fault = this.schedule[this.#connections++] ?? "pass";
    this.applied[fault] += 1;
    if (fault === "drop") return void client.destroy();
    if (fault === "stall") return void client.resume();
    const server = this.#track(connect(this.targetPort, "127.0.0.1"));
    const resetBoth = () => {
      client.resetAndDestroy();
      server.resetAndDestroy();
    };
    client.on("close", () => server.destroy());
    server.on("close", () => client.destroy());
    const delayMs = fault === "delay" ? between(this.random, 200, 800) : 0;
    const relay = (from: Socket, to: Socket) =>
      from.on("data", (chunk: Buffer) => {
        if (delayMs === 0) return void to.write(chunk);
        from.pause();
        setTimeout(() => {
          if (!to.destroyed) to.write(chunk);
          from.resume();
        }, delayMs);
      });
    let budget = fault === "reset" ? between(this.random, 50, 4_000) : Number.POSITIVE_INFINITY;
    if (fault === "reset") {
      client.on("data", (chunk: Buffer) => {
        budget -= chunk.byteLength;
        if (budget > 0) server.write(chunk);
        else {
          server.write(chunk.subarray(0, chunk.byteLength + budget));
          resetBoth();
        }
      });
    } else relay(client, server);
    if (fault === "cut-response") server.once("data", () => resetBoth());
    else relay(server, client);
    // one exchange per connection, so keep-alive does not carry every batch past the schedule
    let idle: NodeJS.Timeout | undefined;
    server.on("data", () => {
      clearTimeout(idle);
      idle = setTimeout(() => client.end(), delayMs + 100);
    });
  }
}
