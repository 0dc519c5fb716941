/*
 * Structured logging (the pino-backed process logger is in json-logger.ts, loaded only by the commands
 * that log, so admin commands start without it): one JSON object per line on stderr, so stdout stays free for CLI output.
 * A line reads {"level":"info","time":"…",<child bindings>,"message":"…",<fields>}: the message key is
 * `message` and comes right before the call's fields, so `"message":"api listening","url":…` is what
 * scripts and tests wait for. Context (requestId, deviceId, batch key) travels in child loggers.
 */
export type LogFields = Record<string, unknown>;

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger that adds `bindings` to every line it writes. */
  child(bindings: LogFields): Logger;
}

export interface MemoryLogEntry {
  level: "debug" | "info" | "warn" | "error";
  message: string;
  fields?: LogFields;
}

/** Keeps every entry in memory (child bindings merged into fields); for tests that assert on logs. */
export function memoryLogger(): Logger & { entries: MemoryLogEntry[] } {
  const entries: MemoryLogEntry[] = [];
  const make = (bindings: LogFields | undefined): Logger => {
    const push = (level: MemoryLogEntry["level"]) => (message: string, fields?: LogFields) => {
      const all = bindings === undefined ? fields : { ...bindings, ...fields };
      entries.push(all === undefined ? { level, message } : { level, message, fields: all });
    };
    return {
      debug: push("debug"),
      info: push("info"),
      warn: push("warn"),
      error: push("error"),
      child: (more) => make({ ...bindings, ...more }),
    };
  };
  return Object.assign(make(undefined), { entries });
}

/** Error objects do not serialise to JSON; this keeps their message. */
export function errorFields(error: unknown): LogFields {
  return error instanceof Error ? { error: error.message, errorName: error.name } : { error: String(error) };
}

/** A database or Redis URL fit for a log line: user, password and query (auth tokens) removed. */
export function loggableUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.protocol === "file:") return url.split("?")[0] ?? url;
    parsed.username = "";
    parsed.password = "";
    parsed.search = "";
    return parsed.toString();
  } catch {
    return url.includes("@") || url.includes("?") ? "[unparseable url]" : url;
  }
}
