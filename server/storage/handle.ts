/**
 * The app's database, opened on first use (so routes that never touch it — HiPS, the page —
 * work without one) or handed in already open (main.ts opens it before listening).
 */
import type { Database } from './db.js';

export class DatabaseHandle {
  private opening: Promise<Database> | undefined;

  constructor(
    private readonly open: () => Promise<Database>,
    /** Close it with the app. */
    private readonly owned = true,
  ) {}

  static of(db: Database, owned = true): DatabaseHandle {
    const h = new DatabaseHandle(async () => db, owned);
    h.opening = Promise.resolve(db);
    return h;
  }

  get(): Promise<Database> {
    this.opening ??= this.open().catch((err: unknown) => {
      this.opening = undefined;
      throw err;
    });
    return this.opening;
  }

  async close(): Promise<void> {
    const p = this.opening;
    this.opening = undefined;
    if (p === undefined || !this.owned) return;
    const db = await p.catch(() => undefined);
    await db?.close();
  }
}
