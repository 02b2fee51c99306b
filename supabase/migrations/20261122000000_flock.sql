-- Flock: chat messages, read state and notifications.
--
-- Applied unchanged by `supabase db push` (or pasted into the SQL editor) and by the
-- local server at start. Everything a client may do is decided here by grants and
-- row-level security, so the same rules hold behind PostgREST, Realtime and the
-- local stand-in alike.
--
-- Roles: Supabase's anonymous sign-ins get the `authenticated` role, so "signed in"
-- includes anonymous users; `anon` (no session at all) gets nothing.
--
-- Every function pins `search_path = ''` and names objects in full, so a table or
-- function a user creates in another schema can never be picked up in their place.

-- ---------------------------------------------------------------------------
-- flock_messages
-- ---------------------------------------------------------------------------

create table public.flock_messages (
  -- The kit makes ids on the client, so resending a message after a lost reply
  -- lands on the same row instead of posting it twice.
  id          uuid primary key default gen_random_uuid(),
  room        text not null check (char_length(room) between 1 and 200),
  user_id     uuid not null default auth.uid() references auth.users (id) on delete cascade,
  author_name text not null check (char_length(author_name) between 1 and 80),
  -- A soft-deleted message keeps its row with an empty body.
  body        text not null check (
                char_length(body) <= 4000
                and (deleted_at is not null or body ~ '[^[:space:]]')
              ),
  created_at  timestamptz not null default clock_timestamp(),
  edited_at   timestamptz,
  deleted_at  timestamptz
);

comment on table public.flock_messages is
  'Flock chat. Rows are soft-deleted (deleted_at set, body emptied) so clients can show "deleted".';

-- History pages walk backwards by (created_at, id): the id breaks ties between
-- messages stamped in the same microsecond.
create index flock_messages_room_created_idx on public.flock_messages (room, created_at desc, id desc);
-- Serves the foreign key's cascade and the mention trigger's "has posted in this room".
create index flock_messages_user_room_idx on public.flock_messages (user_id, room);

create function public.flock_messages_before_insert()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  meta jsonb := coalesce(auth.jwt() -> 'user_metadata', '{}'::jsonb);
begin
  -- Clients' clocks disagree; ordering and "edited" marks need one clock.
  new.created_at := clock_timestamp();
  new.edited_at := null;
  new.deleted_at := null;

  if new.author_name is null or btrim(new.author_name) = '' then
    new.author_name := left(
      coalesce(
        nullif(btrim(meta ->> 'name'), ''),
        nullif(btrim(meta ->> 'full_name'), ''),
        nullif(btrim(meta ->> 'user_name'), ''),
        'Anonymous'
      ),
      80
    );
  end if;
  return new;
end
$$;

create function public.flock_messages_before_update()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  -- An upsert resend (PostgREST `merge-duplicates`) sets every column it was sent;
  -- ignoring changes to identity and time columns, rather than rejecting them, makes
  -- that resend a silent no-op.
  new.id := old.id;
  new.room := old.room;
  new.user_id := old.user_id;
  new.created_at := old.created_at;

  if old.deleted_at is not null then
    -- Deletion is final: a late edit replayed from an offline queue must not bring
    -- the text back.
    new.deleted_at := old.deleted_at;
    new.edited_at := old.edited_at;
    new.body := '';
  elsif new.deleted_at is not null then
    new.deleted_at := clock_timestamp();
    new.edited_at := old.edited_at;
    new.body := '';
  elsif new.body is distinct from old.body then
    new.edited_at := clock_timestamp();
  else
    new.edited_at := old.edited_at;
  end if;
  return new;
end
$$;

-- ---------------------------------------------------------------------------
-- flock_reads
-- ---------------------------------------------------------------------------

-- One row per user per room: where they have read up to. Everyone in a room may see
-- everyone's row, which is what "Seen by" needs.
create table public.flock_reads (
  user_id              uuid not null default auth.uid() references auth.users (id) on delete cascade,
  room                 text not null check (char_length(room) between 1 and 200),
  last_read_message_id uuid references public.flock_messages (id) on delete set null,
  last_read_at         timestamptz not null default now(),
  updated_at           timestamptz not null default now(),
  primary key (user_id, room)
);

comment on table public.flock_reads is
  'Flock read state: per user per room, for read receipts and unread counts.';

create index flock_reads_room_idx on public.flock_reads (room);
-- Without it, deleting a message would scan every read row for the "set null".
create index flock_reads_last_read_message_idx on public.flock_reads (last_read_message_id);

create function public.flock_reads_touch()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  return new;
end
$$;

-- ---------------------------------------------------------------------------
-- flock_notifications
-- ---------------------------------------------------------------------------

-- Written only by service_role (a backend) and by the mention trigger; a user can
-- read, mark read and dismiss their own, nothing else.
create table public.flock_notifications (
  id         uuid primary key default gen_random_uuid(),
  user_id    uuid not null references auth.users (id) on delete cascade,
  kind       text not null default 'info' check (kind ~ '^[a-z][a-z0-9_]{0,31}$'),
  title      text not null check (char_length(title) between 1 and 200),
  body       text check (char_length(body) <= 2000),
  url        text check (char_length(url) <= 2048),
  room       text check (char_length(room) between 1 and 200),
  actor_id   uuid references auth.users (id) on delete set null,
  actor_name text check (char_length(actor_name) <= 80),
  message_id uuid references public.flock_messages (id) on delete cascade,
  created_at timestamptz not null default now(),
  read_at    timestamptz,
  -- A message notifies each recipient once per kind, however often it names them.
  unique (user_id, message_id, kind)
);

comment on table public.flock_notifications is
  'Flock notifications, one row per recipient; created by service_role or the mention trigger.';

-- The bell lists newest first and counts unread.
create index flock_notifications_user_created_idx
  on public.flock_notifications (user_id, created_at desc, id desc);
create index flock_notifications_user_unread_idx
  on public.flock_notifications (user_id) where read_at is null;
create index flock_notifications_message_idx on public.flock_notifications (message_id);
create index flock_notifications_actor_idx on public.flock_notifications (actor_id);

-- ---------------------------------------------------------------------------
-- Mentions and triggers
-- ---------------------------------------------------------------------------

-- Runs with the owner's rights: it reads auth.users and writes notifications, which
-- no client may do directly.
create function public.flock_messages_notify_mentions()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- A token is what follows an "@" that does not sit inside a word or address
  -- ("a@b.com" is no mention), made of letters, digits, "_", "." and "-", not ending
  -- in "." or "-" (so "@Bob." is Bob), at most 40 characters.
  -- Only room members can be mentioned (a read-state row, or a message, in this
  -- room), so "@name" cannot be used to send notifications to arbitrary users.
  insert into public.flock_notifications
    (user_id, kind, title, body, room, actor_id, actor_name, message_id)
  select u.id,
         'mention',
         new.author_name || ' mentioned you',
         left(new.body, 200),
         new.room,
         new.user_id,
         new.author_name,
         new.id
  from auth.users u
  where u.id <> new.user_id
    and lower(regexp_replace(
          coalesce(
            u.raw_user_meta_data ->> 'name',
            u.raw_user_meta_data ->> 'full_name',
            u.raw_user_meta_data ->> 'user_name'
          ),
          '[[:space:]]', '', 'g'))
        in (
          select lower(m[2])
          from regexp_matches(
            new.body,
            '(^|[^[:alnum:]_.-])@([[:alnum:]_](?:[[:alnum:]_.-]{0,38}[[:alnum:]_])?)(?![[:alnum:]_])',
            'g'
          ) as m
        )
    and (
      exists (select 1 from public.flock_reads r where r.user_id = u.id and r.room = new.room)
      or exists (select 1 from public.flock_messages p where p.user_id = u.id and p.room = new.room)
    )
  on conflict do nothing;
  return null;
end
$$;

create trigger flock_messages_before_insert
  before insert on public.flock_messages
  for each row execute function public.flock_messages_before_insert();

create trigger flock_messages_before_update
  before update on public.flock_messages
  for each row execute function public.flock_messages_before_update();

-- Insert only: editing a message does not notify again.
create trigger flock_messages_notify_mentions
  after insert on public.flock_messages
  for each row when (new.body like '%@%')
  execute function public.flock_messages_notify_mentions();

create trigger flock_reads_touch
  before insert or update on public.flock_reads
  for each row execute function public.flock_reads_touch();

-- Trigger functions are not for calling; Supabase's default privileges would
-- otherwise grant them to every API role.
revoke all on function
  public.flock_messages_before_insert(),
  public.flock_messages_before_update(),
  public.flock_messages_notify_mentions(),
  public.flock_reads_touch()
from public, anon, authenticated;

-- ---------------------------------------------------------------------------
-- Privileges and row-level security
-- ---------------------------------------------------------------------------

alter table public.flock_messages enable row level security;
alter table public.flock_reads enable row level security;
alter table public.flock_notifications enable row level security;

-- Explicit rather than left to the project's default privileges, which differ
-- between projects and can be changed.
revoke all on public.flock_messages, public.flock_reads, public.flock_notifications from anon;
grant select, insert, update, delete on public.flock_messages, public.flock_reads to authenticated;
grant all on public.flock_messages, public.flock_reads, public.flock_notifications to service_role;

-- Column grants: the only change a user may make to a notification is marking it
-- read (or unread); title, body and recipient stay what the sender wrote.
revoke all on public.flock_notifications from authenticated;
grant select, delete on public.flock_notifications to authenticated;
grant update (read_at) on public.flock_notifications to authenticated;

create policy "flock_messages: signed-in users read"
  on public.flock_messages for select to authenticated
  using (true);
create policy "flock_messages: post as yourself"
  on public.flock_messages for insert to authenticated
  with check (user_id = (select auth.uid()));
create policy "flock_messages: authors edit their own"
  on public.flock_messages for update to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));
create policy "flock_messages: authors delete their own"
  on public.flock_messages for delete to authenticated
  using (user_id = (select auth.uid()));

create policy "flock_reads: signed-in users read"
  on public.flock_reads for select to authenticated
  using (true);
create policy "flock_reads: insert your own"
  on public.flock_reads for insert to authenticated
  with check (user_id = (select auth.uid()));
create policy "flock_reads: update your own"
  on public.flock_reads for update to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));
create policy "flock_reads: delete your own"
  on public.flock_reads for delete to authenticated
  using (user_id = (select auth.uid()));

-- No insert policy: users never create notifications.
create policy "flock_notifications: read your own"
  on public.flock_notifications for select to authenticated
  using (user_id = (select auth.uid()));
create policy "flock_notifications: mark your own read"
  on public.flock_notifications for update to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));
create policy "flock_notifications: dismiss your own"
  on public.flock_notifications for delete to authenticated
  using (user_id = (select auth.uid()));

-- ---------------------------------------------------------------------------
-- Realtime
-- ---------------------------------------------------------------------------

-- Full old rows on UPDATE and DELETE, so subscribers filtering on room or user_id
-- still receive them and Realtime can check RLS against the old row.
alter table public.flock_messages replica identity full;
alter table public.flock_reads replica identity full;
alter table public.flock_notifications replica identity full;

alter publication supabase_realtime
  add table public.flock_messages, public.flock_reads, public.flock_notifications;

-- ---------------------------------------------------------------------------
-- Private rooms (optional): Realtime Authorization
-- ---------------------------------------------------------------------------
-- Rooms are public channels by default: any signed-in user who knows a room's name can
-- join it and see its presence, cursors and typing. To restrict who may join, give
-- <flock-room> the `private` attribute and write policies on realtime.messages, which
-- Supabase Realtime (and the local server) check when a user joins a private channel
-- (select) and when they broadcast or track presence on it (insert). realtime.topic() is
-- the channel's name: `flock:<room>`. For example, only a room's members may join it, where
-- a member is a user with a flock_reads row for the room (which your app would create when
-- it invites someone):
--
-- create policy "flock rooms: members receive"
--   on realtime.messages for select to authenticated
--   using (
--     realtime.topic() like 'flock:%'
--     and exists (
--       select 1 from public.flock_reads r
--       where r.room = substr(realtime.topic(), length('flock:') + 1)
--         and r.user_id = (select auth.uid())
--     )
--   );
--
-- create policy "flock rooms: members send"
--   on realtime.messages for insert to authenticated
--   with check (
--     realtime.topic() like 'flock:%'
--     and exists (
--       select 1 from public.flock_reads r
--       where r.room = substr(realtime.topic(), length('flock:') + 1)
--         and r.user_id = (select auth.uid())
--     )
--   );
