/** `--name value` from argv as a number (integers with `_` or `e` are fine: 1_000_000, 1e6). */
export function numberArg(argv: readonly string[], name: string, fallback: number): number {
  const raw = stringArg(argv, name);
  if (raw === undefined) return fallback;
  const value = Number(raw.replaceAll("_", ""));
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`--${name} needs a positive number, got "${raw}"`);
  return value;
}

/** `--name value` or `--name=value` from argv. */
export function stringArg(argv: readonly string[], name: string): string | undefined {
  const flag = `--${name}`;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === flag) return argv[i + 1];
    if (arg?.startsWith(`${flag}=`)) return arg.slice(flag.length + 1);
  }
  return undefined;
}
