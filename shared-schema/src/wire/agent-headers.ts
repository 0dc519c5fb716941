/*
 * What an agent says about itself with each upload, beside the batch: request headers rather than batch
 * fields, so a batch body stays exactly what it was (v1) and a cloud or agent that predates them simply
 * does not send or read them.
 */

/** The agent's version (its package version): `0.1.0`, `1.2.3-rc.1+build.5`. */
export const AGENT_VERSION_HEADER = "x-piwardrive-agent-version";
/** Sightings still in the agent's outbox after this batch, as counted when the batch was planned. */
export const BACKLOG_HEADER = "x-piwardrive-backlog";

const VERSION = /^[0-9A-Za-z.+_-]{1,64}$/;
const COUNT = /^\d{1,15}$/;

export type AgentHeaderCheck<T> = { ok: true; value: T | null } | { ok: false; reason: string };

/** Absent: null. Present: a version of letters, digits and `.+_-`, at most 64 characters. */
export function parseAgentVersionHeader(value: string | undefined): AgentHeaderCheck<string> {
  if (value === undefined) return { ok: true, value: null };
  const v = value.trim();
  if (!VERSION.test(v))
    return { ok: false, reason: `${AGENT_VERSION_HEADER}: 1-64 characters of letters, digits, ".+_-"` };
  return { ok: true, value: v };
}

/** Absent: null. Present: a non-negative integer in decimal. */
export function parseBacklogHeader(value: string | undefined): AgentHeaderCheck<number> {
  if (value === undefined) return { ok: true, value: null };
  const v = value.trim();
  if (!COUNT.test(v)) return { ok: false, reason: `${BACKLOG_HEADER}: a non-negative integer` };
  return { ok: true, value: Number(v) };
}
