/**
 * One producer's rows queued in a BatchedWriter and not yet committed, in the order they were written.
 *
 * The writer commits a prefix of its queue, in queue order, so the producer's rows in any batch are the
 * oldest of its queued rows: `countIn` walks the batch once, comparing each row with the next one expected,
 * and hashes nothing. The importer counted its rows with a Set of them before; with a row added and one
 * deleted for every sighting, V8 re-allocated the Set's table every few thousand rows, and those tables
 * (~35 MB per 1,000,000 rows) were promoted and died in the old generation (docs/benchmarks.md, import).
 */
export class QueuedRows<T> {
  /** The chunks as written, oldest first; the first one's rows before `#head` are committed. */
  #chunks: (readonly T[])[] = [];
  #head = 0;

  /** Records a chunk about to be written (before `write()`: a flush may run inside it). */
  add(chunk: readonly T[]): void {
    if (chunk.length > 0) this.#chunks.push(chunk);
  }

  /** Forgets the chunk last added, which the writer did not take. */
  removeLast(chunk: readonly T[]): void {
    if (this.#chunks.at(-1) === chunk) this.#chunks.pop();
  }

  /** How many of a batch's rows are this producer's (they are its oldest queued rows, in order). */
  countIn(batch: readonly T[]): number {
    let count = 0;
    let chunk = 0;
    let index = this.#head;
    for (const row of batch) {
      const rows = this.#chunks[chunk];
      if (rows === undefined) break;
      if (row !== rows[index]) continue;
      count++;
      index++;
      if (index === rows.length) {
        chunk++;
        index = 0;
      }
    }
    return count;
  }

  /** The oldest `count` rows were committed. */
  removeOldest(count: number): void {
    let left = count;
    while (left > 0) {
      const rows = this.#chunks[0];
      if (rows === undefined) throw new Error(`committed ${left} more rows than were queued`);
      const remaining = rows.length - this.#head;
      if (left < remaining) {
        this.#head += left;
        return;
      }
      left -= remaining;
      this.#chunks.shift();
      this.#head = 0;
    }
  }

  /** Rows still queued. */
  get size(): number {
    let size = 0;
    for (const rows of this.#chunks) size += rows.length;
    return size - this.#head;
  }
}
