/**
 * The sync benchmark's one reader of process.env: the environment handed to the CLIs it spawns, minus
 * any PIWARDRIVE_* / PORT / HOST the developer has set (the benchmark chooses every setting), plus `extra`.
 */
export function childEnv(extra: Record<string, string> = {}): Record<string, string> {
  const inherited = Object.entries(process.env).filter(
    (e): e is [string, string] => e[1] !== undefined && !/^(PIWARDRIVE_|PORT$|HOST$)/.test(e[0]),
  );
  return { ...Object.fromEntries(inherited), ...extra };
}
