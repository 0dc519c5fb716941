import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { QueueUnavailableError } from "../errors.js";

/**
 * A BullMQ Queue used from a process that must never wait on Redis (the API's ingest, the merge worker's
 * webhook hand-off). The Queue is created lazily, only once the fail-fast connection is ready: a Queue
 * built while Redis is down either waits for it forever (its init awaits "ready") or, told not to wait,
 * fails its init for good. While Redis is down every call fails at once with QueueUnavailableError; each
 * call is bounded by `timeoutMs`; after a failure the Queue is rebuilt on the next call.
 */
export class FailFastQueue<T> {
  #queue: Queue<T> | undefined;

  constructor(
    readonly redis: Redis,
    readonly create: (redis: Redis) => Queue<T>,
    readonly timeoutMs = 2000,
  ) {}

  /** Runs `use` on the queue; `what` names what could not be queued in the error. */
  async run<R>(what: string, use: (queue: Queue<T>) => Promise<R>): Promise<R> {
    if (this.redis.status !== "ready") {
      throw new QueueUnavailableError(`redis is not connected (${this.redis.status})`);
    }
    if (this.#queue === undefined) {
      const created = this.create(this.redis);
      created.on("error", () => {}); // the connection's own listener logs; keep EventEmitter from throwing
      this.#queue = created;
    }
    const queue = this.#queue;
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        use(queue),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer in ${this.timeoutMs} ms`)), this.timeoutMs);
        }),
      ]);
    } catch (error) {
      this.#queue = undefined;
      void queue.close().catch(() => {});
      throw new QueueUnavailableError(
        `redis could not take ${what}: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    const queue = this.#queue;
    this.#queue = undefined;
    await queue?.close().catch(() => {});
  }
}
