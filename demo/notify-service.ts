import type { ServerContext } from '../server/context.ts';
import type { Service } from '../server/http/service.ts';
import { headerValue, type HttpReply } from '../server/http/types.ts';

const SAMPLES = [
  { kind: 'comment', title: 'New comment on “Pricing”', body: 'Could the plan cards share one height?', actor: 'Mira (design lead)' },
  { kind: 'review', title: 'Review requested', body: 'The hero section is ready for another look.', actor: 'Jonas' },
  { kind: 'info', title: 'Export finished', body: 'landing-v3.pdf is ready to download.', actor: 'Flock demo' },
  { kind: 'mention', title: 'You were mentioned', body: '“Let’s ask them about the footer links.”', actor: 'Priya' },
] as const;

const error = (status: number, message: string): HttpReply => ({ status, json: { message } });

/**
 * `POST /demo/v1/notify`: the demo's "send me a notification" button. Users never create
 * notifications (no insert policy: only a backend with the service role does), so the demo
 * server plays that backend: it checks the caller's JWT and inserts one notification for the
 * caller as the database owner. The bell then receives it live, as from any backend.
 */
export const demoNotifyService: Service = {
  prefix: '/demo/v1/notify',
  async handle(request, ctx: ServerContext) {
    if (request.method !== 'POST') return error(405, 'method not allowed');
    const token = /^Bearer (.+)$/i.exec(headerValue(request, 'authorization') ?? '')?.[1];
    if (!token) return error(401, 'sign in first: no bearer token');
    let sub: unknown;
    try {
      ({ sub } = await ctx.signer.verify(token));
    } catch (e) {
      return error(401, e instanceof Error ? e.message : 'invalid token');
    }
    if (typeof sub !== 'string') return error(401, 'the token names no user');
    const room = request.url.searchParams.get('room')?.slice(0, 200) || null;
    const sample = SAMPLES[Math.floor(Math.random() * SAMPLES.length)]!;
    await ctx.db.asOwner((tx) =>
      tx.query(
        `insert into public.flock_notifications (user_id, kind, title, body, room, actor_name) values ($1, $2, $3, $4, $5, $6)`,
        [sub, sample.kind, sample.title, sample.body, room, sample.actor],
      ),
    );
    return { status: 201, json: { sent: sample.title } };
  },
  error,
};
