import { CAPTURE_BOOTSTRAP_SQL } from './changes/capture.ts';
import { VISIBILITY_SQL } from './changes/visibility.ts';

/**
 * Supabase's `realtime.messages` and `realtime.topic()`, which private-channel policies are
 * written against. Created with its grants only once, so a migration's revokes stick.
 */
export const REALTIME_MESSAGES_SQL = /* sql */ `
create schema if not exists realtime;
grant usage on schema realtime to anon, authenticated, service_role;

do $$
begin
  if to_regclass('realtime.messages') is null then
    create table realtime.messages (
      topic text not null,
      extension text not null,
      payload jsonb,
      event text,
      private boolean default false,
      updated_at timestamp without time zone not null default now(),
      inserted_at timestamp without time zone not null default now(),
      id uuid not null default gen_random_uuid(),
      primary key (id, inserted_at)
    );
    alter table realtime.messages enable row level security;
    grant select, insert, update on realtime.messages to anon, authenticated;
    grant all on realtime.messages to service_role;
  end if;
end
$$;

create or replace function realtime.topic() returns text
language sql stable as $$ select nullif(current_setting('realtime.topic', true), '')::text $$;
grant execute on function realtime.topic() to anon, authenticated, service_role;
`;

/** The `realtime` schema as user migrations and the server need it; idempotent, run at every start before migrations. */
export const REALTIME_BOOTSTRAP_SQL = REALTIME_MESSAGES_SQL + CAPTURE_BOOTSTRAP_SQL + VISIBILITY_SQL;
