import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openTestDatabase } from '../support/db.ts';
import { MIGRATIONS, rejectsWith, useSchemaDatabase } from '../support/schema-fixtures.ts';

const fx = useSchemaDatabase();
const { owner } = fx;

describe('migrations', () => {
  it('applies the migrations once, keeps its privileges across restarts, and publishes the tables to Realtime', async () => {
    assert.deepEqual(fx.db.appliedMigrations, MIGRATIONS);

    const dir = await mkdtemp(join(tmpdir(), 'flock-schema-'));
    try {
      const first = await openTestDatabase(dir);
      assert.deepEqual(first.appliedMigrations, MIGRATIONS);
      await first.close();

      const second = await openTestDatabase(dir);
      try {
        assert.deepEqual(second.appliedMigrations, []);
        const ledger = await second.pg.query<{ version: string }>(
          'select version from supabase_migrations.schema_migrations',
        );
        assert.deepEqual(ledger.rows, MIGRATIONS.map((m) => ({ version: m.split('_')[0] })));
        const published = await second.pg.query<{ tablename: string }>(
          `select tablename from pg_publication_tables
           where pubname = 'supabase_realtime' and schemaname = 'public' order by tablename`,
        );
        assert.deepEqual(
          published.rows.map((r) => r.tablename),
          ['flock_messages', 'flock_notifications', 'flock_reads'],
        );

        // Restarting must not hand back what the migration revoked.
        await rejectsWith(
          second.asRole({ role: 'anon' }, (tx) => tx.query('select * from flock_messages')),
          '42501',
        );
        const { rows } = await second.pg.query<{ title: boolean; read_at: boolean }>(
          `select has_column_privilege('authenticated', 'public.flock_notifications', 'title', 'update') as title,
                  has_column_privilege('authenticated', 'public.flock_notifications', 'read_at', 'update') as read_at`,
        );
        assert.deepEqual(rows, [{ title: false, read_at: true }]);
      } finally {
        await second.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('keeps full old rows for Realtime on chat and reads, and only (id, user_id) for notifications', async () => {
    const { rows } = await owner((tx) =>
      tx.query<{ relname: string; relreplident: string }>(
        `select relname, relreplident from pg_class
         where relname in ('flock_messages', 'flock_reads', 'flock_notifications') order by relname`,
      ),
    );
    assert.deepEqual(
      rows.map((r) => r.relreplident),
      // flock_messages, flock_notifications (see 20261123000000_flock_notifications_identity.sql), flock_reads.
      ['f', 'i', 'f'],
    );
  });
});
