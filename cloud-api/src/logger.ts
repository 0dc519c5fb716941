/** Structured logging: one JSON object per line on stderr, so stdout stays free for CLI output. */
export type LogFields = Record<string, unknown>;

export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

type Level = "info" | "warn" | "error";

export function jsonLogger(write: (line: string) => void = (l) => process.stderr.write(l)): Logger {
  const log = (level: Level, message: string, fields?: LogFields) =>
    write(`${JSON.stringify({ time: new Date().toISOString(), level, message, ...fields })}\n`);
  return {
    info: (m, f) => log("info", m, f),
    warn: (m, f) => log("warn", m, f),
    error: (m, f) => log("error", m, f),
  };
}

/** Keeps every entry in memory; for tests that assert on what was logged. */
export function memoryLogger(): Logger & {
  entries: { level: Level; message: string; fields?: LogFields }[];
} {
  const entries: { level: Level; message: string; fields?: LogFields }[] = [];
  const push = (level: Level) => (message: string, fields?: LogFields) =>
    entries.push(fields === undefined ? { level, message } : { level, message, fields });
  return { entries, info: push("info"), warn: push("warn"), error: push("error") };
}

/** Error objects do not serialise to JSON; this keeps their message. */
export function errorFields(error: unknown): LogFields {
  return error instanceof Error ? { error: error.message, errorName: error.name } : { error: String(error) };
}
