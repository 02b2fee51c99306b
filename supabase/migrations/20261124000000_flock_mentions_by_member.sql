-- Flock: a mention looks among the room's members, not among every user.
--
-- The first version matched each "@name" against every row of auth.users and only then asked
-- whether that user belonged to the room, so a message with an "@" in it cost a scan of all of a
-- project's users, a regular expression each, inside the insert: 22 ms per message at 100,000
-- users in PGlite, and growing with the project, not with the room.
--
-- The members are now found first: readers through flock_reads_room_idx, and authors through a
-- skip scan of a (room, user_id) index, one probe per distinct author. Each member's name is then
-- read by primary key. Who can be mentioned, and how names match, is unchanged.
--
-- The statement is planned once per session (plan_cache_mode = force_generic_plan): planning it
-- costs more than running it, and the plan depends on the room only through index conditions.
-- Postgres plans it again when the tables' statistics change (autovacuum's ANALYZE).
--
-- Measured by `npm run bench -- mentions`.

create index flock_messages_room_user_idx on public.flock_messages (room, user_id);

create or replace function public.flock_messages_notify_mentions()
returns trigger
language plpgsql
security definer
set search_path = ''
set plan_cache_mode = force_generic_plan
as $$
begin
  -- A token is what follows an "@" that does not sit inside a word or address
  -- ("a@b.com" is no mention), made of letters, digits, "_", "." and "-", not ending
  -- in "." or "-" (so "@Bob." is Bob), at most 40 characters.
  -- Only room members can be mentioned (a read-state row, or a message, in this
  -- room), so "@name" cannot be used to send notifications to arbitrary users.
  with recursive authors(user_id) as (
    -- The room's distinct authors, each found by one index probe past the last.
    select (select p.user_id from public.flock_messages p where p.room = new.room order by p.user_id limit 1)
    union all
    select (select p.user_id from public.flock_messages p
            where p.room = new.room and p.user_id > a.user_id
            order by p.user_id limit 1)
    from authors a
    where a.user_id is not null
  ),
  members(user_id) as (
    select a.user_id from authors a where a.user_id is not null
    union
    select r.user_id from public.flock_reads r where r.room = new.room
  ),
  mentioned(name) as (
    select lower(m[2])
    from regexp_matches(
      new.body,
      '(^|[^[:alnum:]_.-])@([[:alnum:]_](?:[[:alnum:]_.-]{0,38}[[:alnum:]_])?)(?![[:alnum:]_])',
      'g'
    ) as m
  )
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
  from members
  -- Lateral, so each member is looked up by id rather than all users joined.
  cross join lateral (select x.id, x.raw_user_meta_data from auth.users x where x.id = members.user_id) u
  where u.id <> new.user_id
    and lower(regexp_replace(
          coalesce(
            u.raw_user_meta_data ->> 'name',
            u.raw_user_meta_data ->> 'full_name',
            u.raw_user_meta_data ->> 'user_name'
          ),
          '[[:space:]]', '', 'g'))
        in (select name from mentioned)
  on conflict do nothing;
  return null;
end
$$;
