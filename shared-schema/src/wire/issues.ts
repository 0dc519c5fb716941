import type { z } from "zod";

/** A one-line summary of zod issues for a WireError message: the first few, with their paths. */
export function summariseIssues(issues: readonly z.core.$ZodIssue[], max = 5): string {
  const shown = issues
    .slice(0, max)
    .map((i) => `${i.path.length > 0 ? i.path.join(".") : "(root)"}: ${i.message}`);
  const more = issues.length > max ? `; and ${issues.length - max} more` : "";
  return `${shown.join("; ")}${more}`;
}
