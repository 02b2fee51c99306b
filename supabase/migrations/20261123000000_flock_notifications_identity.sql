-- Flock: a deleted notification's old row carries only its id and recipient.
--
-- Realtime cannot check row-level security on a DELETE (the row is gone), so it sends the
-- delete of a row under RLS to every subscriber who may read the table, with only the primary
-- key in `old_record`; but it first tests each subscriber's filter against the old row as the
-- replica identity gives it. With `replica identity full` that is the whole row, so any
-- signed-in user could subscribe to DELETE events filtered on `title=eq.<guess>`,
-- `room=eq.<name>`, `body=gt.<text>` or `actor_id=eq.<user>` and learn, as other people dismiss
-- their notifications, whether those notifications said what they guessed.
--
-- An identity of (id, user_id) keeps what the bell needs (its `user_id=eq.<me>` filter still
-- matches its own deletes) and leaves nothing else of the row to filter on. Updates are
-- unaffected: Realtime filters and checks RLS on the new row.

create unique index flock_notifications_id_user_idx on public.flock_notifications (id, user_id);

alter table public.flock_notifications replica identity using index flock_notifications_id_user_idx;
