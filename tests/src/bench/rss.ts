import { readFileSync } from "node:fs";

const MIB = 1024 * 1024;

/** A field of /proc/<pid>/status in MiB (VmRSS, VmHWM), or null where /proc is unavailable or the process is gone. */
export function procStatusMb(pid: number | "self", field: "VmRSS" | "VmHWM"): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status);
    return match?.[1] === undefined ? null : Number(match[1]) / 1024;
  } catch {
    return null;
  }
}

export interface RssSampler {
  /** Stops sampling and returns the samples in MiB (one more is taken on stop). */
  stop(): number[];
}

/** Samples this process's RSS (process.memoryUsage().rss) every `intervalMs`. */
export function sampleOwnRss(intervalMs: number): RssSampler {
  const samples: number[] = [process.memoryUsage().rss / MIB];
  const timer = setInterval(() => samples.push(process.memoryUsage().rss / MIB), intervalMs);
  return {
    stop() {
      clearInterval(timer);
      samples.push(process.memoryUsage().rss / MIB);
      return samples;
    },
  };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return 0;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export const max = (values: readonly number[]): number => values.reduce((a, b) => Math.max(a, b), 0);

/** Bytes this process has caused to be written to storage so far (/proc/self/io write_bytes), in MiB. */
export function writtenMb(): number | null {
  try {
    const match = /^write_bytes:\s+(\d+)/m.exec(readFileSync("/proc/self/io", "utf8"));
    return match?.[1] === undefined ? null : Number(match[1]) / MIB;
  } catch {
    return null;
  }
}
