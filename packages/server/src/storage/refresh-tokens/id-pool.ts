/**
 * Refresh-token row IDs taken from PostgreSQL's sequence ahead of use. A token carries its row's ID
 * (tokens/refresh-token-format.ts), and its hash is stored in that row, so the ID must be known before
 * the statement that inserts it; taking IDs a batch at a time lets a rotation be that one statement.
 */
import { sql } from 'kysely';
import type { Db } from '../database.js';
import { NEXT_ID_SQL } from './rows.js';

/** How many IDs one round trip takes: one extra round trip per this many rotations. */
export const ID_BATCH = 64;

/**
 * A per-process pool of sequence values. IDs never used (the process ends, a rotation falls back to
 * its transaction) leave gaps, as any sequence does; no two takers ever get the same ID.
 */
export class SequenceIdPool {
  /** Descending, so `pop` hands out the smallest first and rows go in near key order. */
  private readonly ids: number[] = [];
  private refill: Promise<void> | undefined;

  constructor(
    private readonly db: Db,
    private readonly batch = ID_BATCH,
  ) {}

  /** An ID no other taker has had; one shared round trip when the pool is empty. */
  async take(): Promise<number> {
    for (;;) {
      const id = this.ids.pop();
      if (id !== undefined) return id;
      this.refill ??= this.fetch().finally(() => {
        this.refill = undefined;
      });
      await this.refill;
    }
  }

  /** Returns an ID taken but not used, for the next taker. */
  giveBack(id: number): void {
    this.ids.push(id);
  }

  private async fetch(): Promise<void> {
    const { rows } = await sql<{ id: string }>`select ${sql.raw(NEXT_ID_SQL.postgres)} as id
      from generate_series(1, ${this.batch}::int) order by 1 desc`.execute(this.db);
    if (rows.length === 0) throw new Error('the refresh-token sequence gave no IDs');
    for (const row of rows) this.ids.push(Number(row.id));
  }
}
