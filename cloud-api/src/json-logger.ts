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
export const REDACTED = "[redacted]";

function wrap(p: pino.Logger): Logger {
  const at =
    (level: "debug" | "info" | "warn" | "error") =>
    (message: string, fields?: LogFields): void => {
      if (!p.isLevelEnabled(level)) return;
      // the message first, then the fields (a field named `message` must not replace it)
      const { message: detail, ...rest } = fields ?? {};
      p[level](detail === undefined ? { message, ...rest } : { message, ...rest, detail });
    };
  return {
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
    child: (bindings) => wrap(p.child(bindings)),
  };
}

/**
 * The process logger. `write` receives each line (default: synchronous writes to stderr, so nothing is
 * lost when the process exits right after logging).
 */
export function jsonLogger(options: { level?: LogLevel; write?: (line: string) => void } = {}): Logger {
  const destination =
    options.write === undefined ? pino.destination({ fd: 2, sync: true }) : { write: options.write };
  return wrap(
    pino(
      {
        level: options.level ?? "info",
        base: { pid: process.pid },
        messageKey: "message",
        timestamp: pino.stdTimeFunctions.isoTime,
        formatters: { level: (label) => ({ level: label }) },
        redact: {
          paths: SECRET_KEYS.flatMap((k) => [k, `*.${k}`]),
          censor: REDACTED,
        },
      },
      destination,
    ),
  );
}
