import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../../app-env.js";

/**
 * Runs middlewares one after the other, each one's `next` the following one, the last one's the route's:
 * what hono/combine's `every` does for plain middlewares, without building a composer on every request
 * (the analyst guard runs on every analyst request, twice nested). A middleware that answers (returns a
 * Response) sets it as the answer, as Hono's own composer does; errors propagate to the app's onError.
 */
export function inOrder(...handlers: MiddlewareHandler<AppEnv>[]): MiddlewareHandler<AppEnv> {
  return (c, next) => {
    const run = async (i: number): Promise<void> => {
      const handler = handlers[i];
      if (handler === undefined) return next();
      const res = await handler(c, () => run(i + 1));
      if (res && !c.finalized) c.res = res;
    };
    return run(0);
  };
}
