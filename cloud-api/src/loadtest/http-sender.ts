import { Pool } from "undici";
import type { PlannedRequest } from "./scenario.js";

export type SendOutcome = { kind: "response"; status: number } | { kind: "timeout" } | { kind: "error" };

export interface HttpSenderOptions {
  target: string;
  connections: number;
  timeoutMs: number;
  /** Sent on every request unless the scenario's request sets its own (e.g. a device token). */
  authorization?: string;
}

const TIMEOUT_CODES = new Set(["UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT", "UND_ERR_CONNECT_TIMEOUT"]);

/**
 * Keep-alive connections to one origin (an undici Pool: at most `connections` sockets, no pipelining, so
 * one request per socket at a time). Requests beyond that wait in the pool's queue, and that wait is part
 * of their latency in the open model.
 */
export class HttpSender {
  readonly #pool: Pool;
  readonly #basePath: string;
  readonly #authorization: string | undefined;

  constructor(options: HttpSenderOptions) {
    const url = new URL(options.target);
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new Error(`--target must be an http(s) URL (got ${url.protocol})`);
    }
    this.#basePath = url.pathname.replace(/\/+$/, "");
    this.#authorization = options.authorization;
    this.#pool = new Pool(url.origin, {
      connections: options.connections,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      connectTimeout: options.timeoutMs,
    });
  }

  async send(request: PlannedRequest): Promise<SendOutcome> {
    const headers: Record<string, string> = { ...request.headers };
    if (this.#authorization !== undefined && headers.authorization === undefined) {
      headers.authorization = this.#authorization;
    }
    try {
      const res = await this.#pool.request({
        method: request.method as "GET",
        path: this.#basePath + request.path,
        headers,
        body: request.body ?? null,
      });
      // Read the body to the end: the socket is reused only once the response is consumed.
      for await (const _chunk of res.body) {
      }
      return { kind: "response", status: res.statusCode };
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      return typeof code === "string" && TIMEOUT_CODES.has(code) ? { kind: "timeout" } : { kind: "error" };
    }
  }

  async close(): Promise<void> {
    await this.#pool.close();
  }
}
