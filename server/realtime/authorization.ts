import { becomeRole, type Claims, type Database } from '../db.ts';

/**
 * Realtime Authorization for private channels, as Supabase does it: a project writes RLS
 * policies on `realtime.messages`, and the server asks Postgres, as the joining user, what
 * those policies allow for the channel's topic (`realtime.topic()`), for each extension.
 * Reads: probe rows are written as the owner and selected as the user. Writes: the user
 * inserts a probe row. Everything is rolled back; nothing is stored.
 */

export interface ChannelPermissions {
  readBroadcast: boolean;
  readPresence: boolean;
  writeBroadcast: boolean;
  writePresence: boolean;
}

type Extension = 'broadcast' | 'presence';
const EXTENSIONS: readonly Extension[] = ['broadcast', 'presence'];

/** What the user with `claims` may do on the private channel `subTopic`. */
export async function channelPermissions(db: Database, subTopic: string, claims: Claims): Promise<ChannelPermissions> {
  return db.asOwner(async (tx) => {
    await tx.query('savepoint authorize');
    try {
      await tx.query(`select set_config('realtime.topic', $1, true)`, [subTopic]);
      const probes = await tx.query<{ id: string; extension: Extension }>(
        `insert into realtime.messages (topic, extension, private, payload)
         select $1, e, true, '{}'::jsonb from unnest($2::text[]) as e returning id::text, extension`,
        [subTopic, EXTENSIONS],
      );
      await becomeRole(tx, claims);
      const readable = new Set<Extension>();
      await tx.query('savepoint probe_read');
      try {
        const read = await tx.query<{ extension: Extension }>(
          'select extension from realtime.messages where topic = realtime.topic() and id = any($1::uuid[])',
          [probes.rows.map((r) => r.id)],
        );
        for (const r of read.rows) readable.add(r.extension);
        await tx.query('release savepoint probe_read');
      } catch {
        // A policy that raises, or a role without the grant, reads nothing.
        await tx.query('rollback to savepoint probe_read');
      }
      const writable = new Set<Extension>();
      for (const extension of EXTENSIONS) {
        await tx.query('savepoint probe_write');
        try {
          await tx.query(`insert into realtime.messages (topic, extension, private, payload) values ($1, $2, true, '{}'::jsonb)`, [
            subTopic,
            extension,
          ]);
          writable.add(extension);
        } catch {
          // Refused by RLS (or a grant): no write for this extension.
        }
        await tx.query('rollback to savepoint probe_write');
      }
      return {
        readBroadcast: readable.has('broadcast'),
        readPresence: readable.has('presence'),
        writeBroadcast: writable.has('broadcast'),
        writePresence: writable.has('presence'),
      };
    } finally {
      await tx.query('rollback to savepoint authorize');
    }
  });
}
