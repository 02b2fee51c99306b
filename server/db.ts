import { PGlite, type Transaction } from '@electric-sql/pglite';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export type { Transaction };

/** The roles a request may run as: the three a Supabase project has. */
export const DATABASE_ROLES = ['anon', 'authenticated', 'service_role'] as const;
export type DatabaseRole = (typeof DATABASE_ROLES)[number];

/** Verified JWT claims, as PostgREST exposes them through `request.jwt.claims`. */
export interface Claims {
  role: DatabaseRole;
  sub?: string;
  [claim: string]: unknown;
}

export function isDatabaseRole(value: unknown): value is DatabaseRole {
  return typeof value === 'string' && (DATABASE_ROLES as readonly string[]).includes(value);
}

export interface OpenOptions {
  /** Directory PGlite keeps its files in; undefined keeps everything in memory. */
  dataDir?: string;
  /** Folder of `*.sql` migrations, applied in file-name order, each once. */
  migrationsDir: string;
  /**
   * Idempotent SQL run in order at every open, before the migrations: what the platform
   * provides before user migrations (`DATABASE_BOOTSTRAP_SQL` in bootstrap.ts for the server).
   */
  bootstrapSql: readonly string[];
}

/**
 * The embedded Postgres, prepared like a Supabase database.
 *
 * PGlite is a single connection guarded by one mutex: every call below goes through
 * `transaction()`, which holds that mutex for the whole callback, so requests are
 * serialised one at a time and a request's statements never interleave with another's.
 */
export class Database {
  private constructor(readonly pg: PGlite, readonly appliedMigrations: readonly string[]) {}

  static async open(options: OpenOptions): Promise<Database> {
    const pg = options.dataDir === undefined ? new PGlite() : new PGlite(options.dataDir);
    await pg.waitReady;
    for (const sql of options.bootstrapSql) await pg.exec(sql);
    const applied = await applyMigrations(pg, options.migrationsDir);
    return new Database(pg, applied);
  }

  /**
   * Runs `fn` in one transaction as `claims.role`, with `request.jwt.claims` set,
   * so row-level security and `auth.uid()` behave as they do behind PostgREST.
   */
  asRole<T>(claims: Claims, fn: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.pg.transaction(async (tx) => {
      await becomeRole(tx, claims);
      return fn(tx);
    });
  }

  /** Runs `fn` in one transaction as the database owner: for the auth service's own tables. */
  asOwner<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.pg.transaction(fn);
  }

  async close(): Promise<void> {
    await this.pg.close();
  }
}

/**
 * Switches the rest of the transaction (or savepoint) to `claims.role` with its claims set,
 * as PostgREST does per request. Rolling back to an earlier savepoint switches back.
 */
export async function becomeRole(tx: Transaction, claims: Claims): Promise<void> {
  if (!isDatabaseRole(claims.role)) throw new Error(`not a database role: ${String(claims.role)}`);
  await tx.query(
    `select set_config('role', $1, true), set_config('request.jwt.claims', $2, true),
            set_config('request.jwt.claim.sub', $3, true), set_config('request.jwt.claim.role', $1, true)`,
    [claims.role, JSON.stringify(claims), typeof claims.sub === 'string' ? claims.sub : ''],
  );
}

/** Applies every `*.sql` file not yet recorded, in name order, each in its own transaction. */
async function applyMigrations(pg: PGlite, dir: string): Promise<string[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  const done = new Set(
    (await pg.query<{ version: string }>('select version from supabase_migrations.schema_migrations')).rows.map(
      (r) => r.version,
    ),
  );
  const applied: string[] = [];
  for (const file of files) {
    const version = file.split('_')[0] ?? file;
    if (done.has(version)) continue;
    const sql = await readFile(join(dir, file), 'utf8');
    await pg.transaction(async (tx) => {
      await tx.exec(sql);
      await tx.query('insert into supabase_migrations.schema_migrations (version, name) values ($1, $2)', [
        version,
        file.slice(version.length + 1, -'.sql'.length),
      ]);
    });
    applied.push(file);
  }
  return applied;
}
