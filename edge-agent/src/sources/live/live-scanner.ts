import { execFile } from "node:child_process";
import type { GpsFixRecord, ObservationRecord } from "@piwardrive/shared-schema/domain";
import type { ParseContext, SourceEvent } from "../../events/source-event.js";

export type ScanParser = (text: string, ctx: ParseContext) => Iterable<SourceEvent>;

export interface LiveScannerOptions {
  /** argv of the scan command, e.g. ["iw", "dev", "wlan0", "scan"] (needs root on a Pi). */
  command: readonly string[];
  parse: ScanParser;
  /** Base cadence; the resource guards stretch it by `setCadenceMultiplier`. */
  intervalMs?: number;
  timeoutMs?: number;
  /** "Device or resource busy" (another scan in flight) is retried this many times, after a short pause. */
  busyRetries?: number;
  busyRetryDelayMs?: number;
  /** Where sightings go (BatchedWriter.write, usually through the GPS tagger). */
  onObservations: (observations: ObservationRecord[]) => Promise<unknown>;
  onFixes?: (fixes: GpsFixRecord[]) => void;
  clock?: () => number;
}

export interface ScannerState {
  scans: number;
  failures: number;
  consecutiveFailures: number;
  lastScanAt: number | null;
  lastObservations: number;
  lastError: string | null;
  rejected: Record<string, number>;
  cadenceMultiplier: number;
  intervalMs: number;
}

const BUSY = /Device or resource busy|\(-16\)|EBUSY/i;

/**
 * Runs the scan command on a cadence, parses its output and hands the sightings on. A failing command is
 * recorded in `state()` (and so in `status`), never fatal: the loop goes on at the next tick.
 */
export class LiveScanner {
  #options: Required<Omit<LiveScannerOptions, "onFixes">> & Pick<LiveScannerOptions, "onFixes">;
  #timer: NodeJS.Timeout | null = null;
  #running = false;
  #state: ScannerState;

  constructor(options: LiveScannerOptions) {
    this.#options = {
      intervalMs: 5000,
      timeoutMs: 30_000,
      busyRetries: 3,
      busyRetryDelayMs: 500,
      clock: Date.now,
      ...options,
    };
    this.#state = {
      scans: 0,
      failures: 0,
      consecutiveFailures: 0,
      lastScanAt: null,
      lastObservations: 0,
      lastError: null,
      rejected: {},
      cadenceMultiplier: 1,
      intervalMs: this.#options.intervalMs,
    };
  }

  state(): ScannerState {
    return { ...this.#state, rejected: { ...this.#state.rejected } };
  }

  /** Called by the resource guards: >1 slows scanning when the board is hot or the event loop lags. */
  setCadenceMultiplier(multiplier: number): void {
    this.#state.cadenceMultiplier = Math.max(1, multiplier);
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    void this.#loop();
  }

  stop(): void {
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  /** One scan: run, parse, hand on. Resolves with the number of sightings; never rejects. */
  async scanOnce(): Promise<number> {
    const capturedAt = this.#options.clock();
    try {
      const text = await this.#runWithBusyRetry();
      const observations: ObservationRecord[] = [];
      const fixes: GpsFixRecord[] = [];
      for (const event of this.#options.parse(text, { capturedAt, now: capturedAt })) {
        if (event.type === "observation") observations.push(event.observation);
        else if (event.type === "fix") fixes.push(event.fix);
        else if (event.type === "reject")
          this.#state.rejected[event.reason] = (this.#state.rejected[event.reason] ?? 0) + 1;
      }
      if (fixes.length > 0) this.#options.onFixes?.(fixes);
      if (observations.length > 0) await this.#options.onObservations(observations);
      this.#state.scans += 1;
      this.#state.consecutiveFailures = 0;
      this.#state.lastScanAt = capturedAt;
      this.#state.lastObservations = observations.length;
      this.#state.lastError = null;
      return observations.length;
    } catch (error) {
      this.#state.failures += 1;
      this.#state.consecutiveFailures += 1;
      this.#state.lastError = error instanceof Error ? error.message : String(error);
      return 0;
    }
  }

  async #runWithBusyRetry(): Promise<string> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#run();
      } catch (error) {
        const busy = error instanceof Error && BUSY.test(error.message);
        if (!busy || attempt >= this.#options.busyRetries) throw error;
        await new Promise((r) => setTimeout(r, this.#options.busyRetryDelayMs));
      }
    }
  }

  #run(): Promise<string> {
    const [file, ...args] = this.#options.command;
    if (file === undefined) return Promise.reject(new Error("no scan command configured"));
    return new Promise((resolve, reject) => {
      execFile(
        file,
        args,
        { timeout: this.#options.timeoutMs, maxBuffer: 16 * 1024 * 1024 },
        (error, stdout, stderr) => {
          if (error) {
            const detail = String(stderr).trim().split("\n").slice(-1)[0] || error.message;
            reject(new Error(`${this.#options.command.join(" ")}: ${detail}`));
          } else resolve(String(stdout));
        },
      );
    });
  }

  async #loop(): Promise<void> {
    if (!this.#running) return;
    await this.scanOnce();
    if (!this.#running) return;
    const delay = this.#options.intervalMs * this.#state.cadenceMultiplier;
    this.#timer = setTimeout(() => void this.#loop(), delay);
  }
}
