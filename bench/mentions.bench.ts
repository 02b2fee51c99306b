import { readFile } from 'node:fs/promises';
import type { Database } from '../server/db.ts';
import { createUser, MIGRATIONS_DIR, openTestDatabase, type TestUser } from '../test/support/db.ts';

const PROJECT_USERS = [1_000, 100_000];
const MEMBERS = 20;
const INSERTS = 200;
const ROOM = 'bench-mentions';

/** The mention trigger as the first migration defined it: every user matched, then membership asked. */
async function firstMentionTrigger(): Promise<string> {
  const sql = await readFile(`${MIGRATIONS_DIR}20261122000000_flock.sql`, 'utf8');
  const start = sql.indexOf('create function public.flock_messages_notify_mentions()');
  const end = sql.indexOf('$$;', start) + 3;
  if (start < 0 || end < 3) throw new Error('the first migration no longer defines the mention trigger');
  return sql.slice(start, end).replace('create function', 'create or replace function');
}

interface Case {
  users: number;
  trigger: 'current' | 'first';
  plainMs: number;
  mentionMs: number;
}

/**
 * What a chat message that mentions someone costs the database as a project's users grow
 * (`auth.users`), with the room's size held still: 20 members, half readers and half authors.
 * Each case is a fresh in-memory database (PGlite) with the migrations applied, so its plans
 * see that case's tables; "first" swaps in the first migration's trigger for comparison.
 */
export default async function mentionsBench(): Promise<Record<string, unknown>> {
  const first = await firstMentionTrigger();
  const cases: Case[] = [];
  for (const users of PROJECT_USERS) {
    for (const trigger of ['first', 'current'] as const) {
      const db = await openTestDatabase();
      try {
        if (trigger === 'first') await db.asOwner((tx) => tx.exec(first));
        const { author, names } = await seed(db, users);
        const plainMs = await perInsert(db, author, () => 'no one named here');
        const mentionMs = await perInsert(db, author, (i) => `@${names[i % names.length]} and @${names[(i + 7) % names.length]}, look`);
        cases.push({ users, trigger, plainMs, mentionMs });
        console.log(
          `${String(users).padStart(7)} users, ${trigger.padEnd(7)} trigger: plain message ${plainMs.toFixed(2)} ms, ` +
            `with two mentions ${mentionMs.toFixed(2)} ms per insert`,
        );
      } finally {
        await db.close();
      }
    }
  }
  const ratios: Record<number, number> = {};
  for (const users of PROJECT_USERS) {
    const [was, now] = (['first', 'current'] as const).map((t) => cases.find((c) => c.users === users && c.trigger === t)!.mentionMs);
    console.log(`${String(users).padStart(7)} users: a message with mentions takes ×${(now! / was!).toFixed(2)} the first trigger's time`);
    ratios[users] = now! / was!;
  }
  return { members: MEMBERS, inserts: INSERTS, cases, currentToFirst: ratios };
}

/** `users` in auth.users, and a room of MEMBERS: the even ones have read it, the odd ones posted in it. */
async function seed(db: Database, users: number): Promise<{ author: TestUser; names: string[] }> {
  const members: TestUser[] = [];
  for (let i = 0; i < MEMBERS; i++) members.push(await createUser(db, `Member ${i}`));
  await db.asOwner((tx) =>
    tx.query(
      `insert into auth.users (id, aud, role, raw_user_meta_data)
       select gen_random_uuid(), 'authenticated', 'authenticated', jsonb_build_object('name', 'User ' || g)
       from generate_series(1, $1::int) g`,
      [users - MEMBERS],
    ),
  );
  for (const [i, m] of members.entries()) {
    const sql = i % 2 ? `insert into flock_messages (room, body) values ($1, 'hello')` : `insert into flock_reads (room) values ($1)`;
    await db.asRole(m.claims, (tx) => tx.query(sql, [ROOM]));
  }
  return { author: members[1]!, names: members.map((_, i) => `Member${i}`) };
}

async function perInsert(db: Database, author: TestUser, body: (i: number) => string): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < INSERTS; i++) {
    await db.asRole(author.claims, (tx) => tx.query('insert into flock_messages (room, body) values ($1, $2)', [ROOM, body(i)]));
  }
  return (performance.now() - start) / INSERTS;
}
