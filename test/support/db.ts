import { fileURLToPath } from 'node:url';
import { DATABASE_BOOTSTRAP_SQL } from '../../server/bootstrap.ts';
import { Database, type Claims } from '../../server/db.ts';

/** The repository's one schema, as the local server applies it. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../supabase/migrations/', import.meta.url));

/** A real Database with the migrations applied: in memory unless a data dir is given. */
export function openTestDatabase(dataDir?: string): Promise<Database> {
  return Database.open({ migrationsDir: MIGRATIONS_DIR, dataDir, bootstrapSql: DATABASE_BOOTSTRAP_SQL });
}

export interface TestUser {
  id: string;
  name: string;
  /** The claims a signed-in session of this user carries, as the auth service issues them. */
  claims: Claims;
}

/** Creates a user straight in `auth.users`, as the auth service would, with a display name. */
export async function createUser(db: Database, name: string): Promise<TestUser> {
  const { rows } = await db.asOwner((tx) =>
    tx.query<{ id: string }>(
      `insert into auth.users (id, aud, role, raw_user_meta_data)
       values (gen_random_uuid(), 'authenticated', 'authenticated', jsonb_build_object('name', $1::text))
       returning id`,
      [name],
    ),
  );
  const id = rows[0]!.id;
  return { id, name, claims: { role: 'authenticated', sub: id, user_metadata: { name } } };
}
