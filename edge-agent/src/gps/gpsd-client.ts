import { EventEmitter } from "node:events";
import { connect, type Socket } from "node:net";
import type { GpsFixRecord } from "@piwardrive/shared-schema/domain";
import type { SourceEvent } from "../events/source-event.js";
import { createGpsdLineParser } from "./parse-gpsd-json.js";

export const GPSD_WATCH_COMMAND = '?WATCH={"enable":true,"json":true}\n';

export interface GpsdClientOptions {
  host?: string;
  port?: number;
  /** First reconnect delay; doubles per failed attempt up to `maxBackoffMs`, with jitter. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** A line longer than this is dropped (gpsd lines are a few KB; this bounds the buffer). */
  maxLineLength?: number;
  clock?: () => number;
  random?: () => number;
}

export interface GpsdClientEvents {
  fix: [GpsFixRecord];
  /** Every parser event (records, fixes, rejects), for counting. */
  event: [SourceEvent];
  connected: [];
  disconnected: [{ reconnectInMs: number; reason: string }];
}

/**
 * A gpsd TCP client: connects, asks for JSON with `?WATCH`, parses TPVs into fixes, and reconnects after
 * any disconnect with capped exponential backoff and jitter (so a fleet does not reconnect in lockstep).
 * The backoff resets once a connection delivers a line, not merely on connect, so a gpsd that accepts and
 * drops at once is not hammered.
 */
export class GpsdClient extends EventEmitter<GpsdClientEvents> {
  private readonly host: string;
  private readonly port: number;
  private readonly minBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxLineLength: number;
  private readonly clock: () => number;
  private readonly random: () => number;
  private readonly parseLine = createGpsdLineParser();
  private socket: Socket | null = null;
  private timer: NodeJS.Timeout | null = null;
  private attempt = 0;
  private lineNumber = 0;
  private closing = false;
  connections = 0;

  constructor(options: GpsdClientOptions = {}) {
    super();
    this.host = options.host ?? "127.0.0.1";
    this.port = options.port ?? 2947;
    this.minBackoffMs = options.minBackoffMs ?? 500;
    this.maxBackoffMs = options.maxBackoffMs ?? 30_000;
    this.maxLineLength = options.maxLineLength ?? 65_536;
    this.clock = options.clock ?? Date.now;
    this.random = options.random ?? Math.random;
  }

  start(): void {
    if (this.socket || this.timer || this.closing) return;
    this.open();
  }

  /** Stops reconnecting and closes the connection; resolves once the socket is closed. */
  async close(): Promise<void> {
    this.closing = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const socket = this.socket;
    if (!socket || socket.destroyed) return;
    await new Promise<void>((resolve) => {
      socket.once("close", () => resolve());
      socket.destroy();
    });
  }

  /** Delay before reconnect attempt `attempt` (0-based): min * 2^attempt, capped, then 50-100% of it. */
  backoffMs(attempt: number): number {
    const capped = Math.min(this.maxBackoffMs, this.minBackoffMs * 2 ** Math.min(attempt, 30));
    return Math.round(capped * (0.5 + 0.5 * this.random()));
  }

  private open(): void {
    const socket = connect({ host: this.host, port: this.port });
    this.socket = socket;
    let buffer = "";
    let delivered = false;
    socket.setEncoding("utf8");
    socket.on("connect", () => {
      this.connections++;
      socket.write(GPSD_WATCH_COMMAND);
      this.emit("connected");
    });
    socket.on("data", (chunk: string) => {
      buffer += chunk;
      let newline = buffer.indexOf("\n");
      while (newline !== -1) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        if (!delivered) {
          delivered = true;
          this.attempt = 0;
        }
        this.handleLine(line);
        newline = buffer.indexOf("\n");
      }
      if (buffer.length > this.maxLineLength) buffer = "";
    });
    // Errors always end in "close"; the reconnect is scheduled there, once.
    socket.on("error", () => {});
    socket.on("close", (hadError) => {
      if (this.socket === socket) this.socket = null;
      if (this.closing) return;
      const reconnectInMs = this.backoffMs(this.attempt++);
      this.emit("disconnected", { reconnectInMs, reason: hadError ? "error" : "closed" });
      this.timer = setTimeout(() => {
        this.timer = null;
        if (!this.closing) this.open();
      }, reconnectInMs);
    });
  }

  private handleLine(line: string): void {
    const now = this.clock();
    for (const event of this.parseLine(line, ++this.lineNumber, { capturedAt: now, now })) {
      this.emit("event", event);
      if (event.type === "fix") this.emit("fix", event.fix);
    }
  }
}
