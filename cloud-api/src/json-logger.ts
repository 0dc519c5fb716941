import { pino } from "pino";
import type { LogFields, Logger, LogLevel } from "./logger.js";

/**
 * Field names whose values never reach a log line, wherever a caller puts them (top level or one level
 * down, e.g. `headers.authorization`).
 */
const SECRET_KEYS = [
  "token",
  "authorization",
  "apiKey",
  "secret",
  "password",
  "authToken",
  "dbAuthToken",
  "cookie",
];
const SECRETS = new Set(SECRET_KEYS);
export const REDACTED = "[redacted]";

type Level = "debug" | "info" | "warn" | "error";

/**
 * A value as it may be logged: REDACTED under a secret name; an object with a secret-named field of its
 * own, copied with that field REDACTED (one level down, like pino's `*.name` redact paths). Done here
 * rather than with pino's `redact`, which runs its wildcard redactor over every value of every line.
 */
function loggable(name: string, value: unknown): unknown {
  if (value === undefined) return value;
  if (SECRETS.has(name)) return REDACTED;
  if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
  let copy: Record<string, unknown> | undefined;
  for (const secret of SECRET_KEYS) {
    if (Object.hasOwn(value, secret) && (value as Record<string, unknown>)[secret] !== undefined) {
      copy ??= { ...(value as Record<string, unknown>) };
      copy[secret] = REDACTED;
    }
  }
  return copy ?? value;
}

/**
 * One line's object: the child's bindings, then the message, then the call's fields (a field named
 * `message` must not replace it: it becomes `detail`). pino writes the keys in this order.
 */
function lineOf(bindings: LogFields | undefined, message: string, fields: LogFields | undefined): LogFields {
  const line: LogFields = {};
  if (bindings !== undefined) for (const name in bindings) line[name] = loggable(name, bindings[name]);
  line.message = message;
  if (fields === undefined) return line;
  for (const name in fields) if (name !== "message") line[name] = loggable(name, fields[name]);
  if (fields.message !== undefined) line.detail = loggable("detail", fields.message);
  return line;
}

/**
 * Children are this wrapper's, not pino's: a request makes one or two (request id, then the key or
 * device), and pino.child, which serialises its bindings up front, costs more than the line itself. A
 * class, so a child is one small object. The level is fixed when the logger is made, so whether a level
 * writes is decided once.
 */
class PinoLogger implements Logger {
  constructor(
    private readonly p: pino.Logger,
    private readonly writes: ReadonlySet<Level>,
    private readonly bindings: LogFields | undefined,
  ) {}

  debug(message: string, fields?: LogFields): void {
    if (this.writes.has("debug")) this.p.debug(lineOf(this.bindings, message, fields));
  }

  info(message: string, fields?: LogFields): void {
    if (this.writes.has("info")) this.p.info(lineOf(this.bindings, message, fields));
  }

  warn(message: string, fields?: LogFields): void {
    if (this.writes.has("warn")) this.p.warn(lineOf(this.bindings, message, fields));
  }

  error(message: string, fields?: LogFields): void {
    if (this.writes.has("error")) this.p.error(lineOf(this.bindings, message, fields));
  }

  child(more: LogFields): Logger {
    const bindings = this.bindings === undefined ? { ...more } : { ...this.bindings, ...more };
    return new PinoLogger(this.p, this.writes, bindings);
  }
}

/** pino's isoTime, formatted once per millisecond: under load many lines share one. */
let lastMs = -1;
let lastTime = "";
function isoTime(): string {
  const now = Date.now();
  if (now !== lastMs) {
    lastMs = now;
    lastTime = `,"time":"${new Date(now).toISOString()}"`;
  }
  return lastTime;
}

/** Lines held at most while stderr is slower than the process logs; past it new lines are dropped. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

/**
 * The process logger. `write` receives each line (tests). By default lines go to stderr through pino's
 * asynchronous destination: a line is written once the write before it has finished, so under load many
 * lines share one write instead of a blocking write(2) per request (which also woke the reader each
 * time). pino flushes what is pending synchronously on `exit`, so a line logged right before
 * `process.exit` is still written.
 */
export function jsonLogger(options: { level?: LogLevel; write?: (line: string) => void } = {}): Logger {
  const destination =
    options.write === undefined
      ? pino.destination({ fd: 2, sync: false, maxLength: MAX_BUFFERED_BYTES })
      : { write: options.write };
  const p = pino(
    {
      level: options.level ?? "info",
      base: { pid: process.pid },
      messageKey: "message",
      timestamp: isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
  const levels: Level[] = ["debug", "info", "warn", "error"];
  return new PinoLogger(p, new Set(levels.filter((level) => p.isLevelEnabled(level))), undefined);
}
