import { Pool } from "undici";
import type { PlannedRequest } from "./scenario.js";

export type SendOutcome = { kind: "response"; status: number } | { kind: "timeout" } | { kind: "error" };

export interface HttpSenderOptions {
  target: string;
  connections: number;
  timeoutMs: number;
  /** Sent on every request unless the scenario's request sets its own (e.g. a device token). */
  authorization?: string;
  /** Told about requests undici refused to send (programming errors, not server behaviour). */
  onRefused?: (error: unknown) => void;
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
  readonly #onRefused: ((error: unknown) => void) | undefined;

  constructor(options: HttpSenderOptions) {
    const url = new URL(options.target);
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new Error(`--target must be an http(s) URL (got ${url.protocol})`);
    }
    this.#basePath = url.pathname.replace(/\/+$/, "");
    this.#authorization = options.authorization;
    this.#onRefused = options.onRefused;
    this.#pool = new Pool(url.origin, {
      connections: options.connections,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      connectTimeout: options.timeoutMs,
    });
  }

  /**
   * Sends one request and calls `done` once with its outcome. It uses undici's dispatch handler, not
   * `request()`: no stream or promise per response, so a busy generator spends its time sending, which
   * keeps its own scheduling delay low at high rates.
   */
  dispatch(request: PlannedRequest, done: (outcome: SendOutcome) => void): void {
    const own = request.headers;
    // Only copy when a header is added: most requests pass the scenario's object as it is.
    const headers =
      this.#authorization === undefined || own?.authorization !== undefined
        ? own
        : { ...own, authorization: this.#authorization };
    let status = 0;
    let finished = false;
    const finish = (outcome: SendOutcome) => {
      if (finished) return;
      finished = true;
      done(outcome);
    };
    try {
      this.#pool.dispatch(
        {
          method: request.method as "GET",
          path: this.#basePath + request.path,
          headers,
          body: request.body ?? null,
        },
        // undici 7's Pool still takes only the classic handler (the onResponse* API is not wrapped there).
        {
          onConnect: () => {},
          onHeaders: (statusCode) => {
            status = statusCode;
            return true;
          },
          onData: () => true,
          onComplete: () => finish({ kind: "response", status }),
          onError: (error) => {
            const code = (error as { code?: unknown }).code;
            finish(
              typeof code === "string" && TIMEOUT_CODES.has(code) ? { kind: "timeout" } : { kind: "error" },
            );
          },
        },
      );
    } catch (error) {
      // refused before sending (e.g. a header undici rejects): a failed request, never a silent one
      this.#onRefused?.(error);
      finish({ kind: "error" });
    }
  }

  send(request: PlannedRequest): Promise<SendOutcome> {
    return new Promise((resolve) => this.dispatch(request, resolve));
  }

  async close(): Promise<void> {
    await this.#pool.close();
  }
}
