/**
 * Hidden networks reach us as "", `<hidden>`, a single NUL, or runs of escaped NULs (`\x00\x00...`).
 * All of them mean "no name": return null. Anything else is kept exactly (SSIDs are untrusted bytes;
 * escaping is the job of each output format).
 */
export function normalizeSsid(raw: string | null | undefined): string | null {
  if (raw == null) return null;
  if (raw === "" || raw === "<hidden>") return null;
  if (/^(?:\\x00|\u0000)+$/.test(raw)) return null;
  return raw;
}
