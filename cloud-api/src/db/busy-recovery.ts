import { type Client, LibsqlError } from "@libsql/client";

/*
 * Why this exists: with @libsql/client 0.18 on a local file, a statement that fails with SQLITE_BUSY is
 * left un-reset on the connection. SQLite counts it as still running, so on that connection the next
 * autocommit write reports success without committing, and the next batch() fails at COMMIT ("SQL
 * statements in progress"). Reproduced in db/busy-recovery.test.ts. After BUSY or LOCKED we therefore
 * reopen the connection (client.reconnect()) before the error propagates, and re-apply the pragmas a
 * fresh connection does not have (the busy timeout travels with the client's options).
 */

const BUSY_CODES = new Set(["SQLITE_BUSY", "SQLITE_LOCKED"]);
const GUARDED = new Set<PropertyKey>(["execute", "batch", "executeMultiple", "migrate"]);

function isBusy(error: unknown): boolean {
  return error instanceof LibsqlError && BUSY_CODES.has(error.code.split("_").slice(0, 2).join("_"));
}

/** The same client, except that a busy failure reopens its connection (and runs `afterReopen`). */
export function withBusyRecovery(client: Client, afterReopen: (client: Client) => Promise<void>): Client {
  const recover = async (error: unknown): Promise<never> => {
    if (isBusy(error) && !client.closed) {
      await client.reconnect();
      await afterReopen(client).catch(() => {});
    }
    throw error;
  };
  return new Proxy(client, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      const method = (value as (...args: unknown[]) => unknown).bind(target);
      if (!GUARDED.has(prop)) return method;
      return (...args: unknown[]) => (method(...args) as Promise<unknown>).catch(recover);
    },
  });
}
