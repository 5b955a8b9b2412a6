/**
 * Which database the configuration names: PostgreSQL when DATABASE_URL is set, else the SQLite
 * file DATA_DIR/esasky.sqlite.
 */
import { join } from 'node:path';
import type { ServerConfig } from '../config.js';
import { openPostgres, openSqlite, type Database } from './db.js';
import { ensureSsoSchema } from './sso.js';
import { ensureSchema } from './schema.js';

export const SQLITE_FILE = 'esasky.sqlite';
/** Advisory lock key of schema creation in PostgreSQL. */
const SCHEMA_LOCK = 0x65736174;

export function sqlitePath(config: Pick<ServerConfig, 'dataDir'>): string {
  return join(config.dataDir, SQLITE_FILE);
}

/** Opens the configured database and creates the fixed tables if missing. */
export async function openDatabase(
  config: Pick<ServerConfig, 'dataDir' | 'databaseUrl'>,
  opts: { cacheMiB?: number } = {},
): Promise<Database> {
  const db = config.databaseUrl
    ? await openPostgres(config.databaseUrl)
    : openSqlite(sqlitePath(config), opts.cacheMiB === undefined ? {} : { cacheMiB: opts.cacheMiB });
  try {
    if (db.dialect === 'postgres') {
      // several server nodes may start at once: create the tables one at a time
      await db.transaction(async (tx) => {
        await tx.all('SELECT pg_advisory_xact_lock(?)', [SCHEMA_LOCK]);
        await ensureSchema(tx);
        await ensureSsoSchema(tx);
      });
    } else {
      await ensureSchema(db);
      await ensureSsoSchema(db);
    }
  } catch (err) {
    await db.close();
    throw err;
  }
  return db;
}
