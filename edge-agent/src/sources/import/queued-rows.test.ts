import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { QueuedRows } from "./queued-rows.js";

interface Row {
  own: boolean;
}

describe("QueuedRows", () => {
  it("counts exactly the producer's rows in each committed prefix of a shared queue (random cases)", () => {
    const step = fc.oneof(
      fc.record({ write: fc.constant(true), own: fc.boolean(), rows: fc.integer({ min: 0, max: 30 }) }),
      fc.record({ write: fc.constant(false), batch: fc.integer({ min: 1, max: 50 }) }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        const queued = new QueuedRows<Row>();
        const writerQueue: Row[] = [];
        const commit = (size: number) => {
          const batch = writerQueue.slice(0, size);
          const count = queued.countIn(batch);
          expect(count).toBe(batch.filter((r) => r.own).length);
          // Asked again for the same batch (a retried flush), the answer is the same.
          expect(queued.countIn(batch)).toBe(count);
          queued.removeOldest(count);
          writerQueue.splice(0, batch.length);
        };
        for (const s of steps) {
          if ("batch" in s) {
            commit(s.batch);
          } else {
            const chunk = Array.from({ length: s.rows }, () => ({ own: s.own }));
            if (s.own) queued.add(chunk);
            writerQueue.push(...chunk);
          }
          expect(queued.size).toBe(writerQueue.filter((r) => r.own).length);
        }
        commit(writerQueue.length);
        expect(queued.size).toBe(0);
      }),
      { numRuns: 500 },
    );
  });

  it("forgets a chunk the writer refused", () => {
    const queued = new QueuedRows<Row>();
    const taken = [{ own: true }, { own: true }];
    const refused = [{ own: true }];
    queued.add(taken);
    queued.add(refused);
    queued.removeLast(refused);
    expect(queued.size).toBe(2);
    expect(queued.countIn([...taken, ...refused])).toBe(2);
  });

  it("refuses to remove more rows than were queued", () => {
    const queued = new QueuedRows<Row>();
    queued.add([{ own: true }]);
    expect(() => queued.removeOldest(2)).toThrow(/committed 1 more rows than were queued/);
  });
});
