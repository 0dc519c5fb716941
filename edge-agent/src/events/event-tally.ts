import type { SourceEvent } from "./source-event.js";

/**
 * Counts what a parser yielded, the way an import report states it: records read, what came of them, and
 * rejects by reason. It also checks the event contract: every record is followed by its outcome.
 * `pendingRecords` is how many records still wait for one (0 at the end of a well-formed stream);
 * `maxPending` is 1 for parsers that answer each record at once, 2 where one GPS fix merges the GGA and
 * RMC sentences of an epoch.
 */
export class EventTally {
  records = 0;
  observations = 0;
  fixes = 0;
  rejected = 0;
  skipped = 0;
  metadata: Record<string, string>[] = [];
  reasons: Record<string, number> = {};
  pendingRecords = 0;
  maxPending = 0;
  /** The most records one reject answered: always 1 (a reject refuses exactly one record). */
  maxRecordsPerReject = 0;
  /** Outcomes with no record before them: a contract violation. */
  orphanOutcomes = 0;

  add(event: SourceEvent): void {
    switch (event.type) {
      case "record":
        this.records++;
        this.pendingRecords++;
        this.maxPending = Math.max(this.maxPending, this.pendingRecords);
        return;
      case "metadata":
        this.metadata.push(event.metadata);
        return;
      case "observation":
        this.observations++;
        break;
      case "fix":
        this.fixes++;
        break;
      case "skip":
        this.skipped++;
        break;
      case "reject":
        this.rejected++;
        this.maxRecordsPerReject = Math.max(this.maxRecordsPerReject, this.pendingRecords);
        this.reasons[event.reason] = (this.reasons[event.reason] ?? 0) + 1;
        break;
    }
    if (this.pendingRecords === 0) this.orphanOutcomes++;
    this.pendingRecords = 0;
  }

  static async of(events: AsyncIterable<SourceEvent> | Iterable<SourceEvent>): Promise<EventTally> {
    const tally = new EventTally();
    for await (const event of events) tally.add(event);
    return tally;
  }
}
