import { expect } from '@esm-bundle/chai';
import type { SupabaseClient } from '@supabase/supabase-js';
import { executeServerCommand } from '@web/test-runner-commands';
import fc from 'fast-check';
import '../../src/index.js';
import type { FlockBell } from '../../src/elements/bell/bell.js';
import { expectNoAxeViolations } from '../support/axe.js';
import { appClient, waitFor } from '../support/browser-rooms.js';
import { mountWithClient, unmountAll } from '../support/elements.js';
import { localServerUrl } from '../support/local-server-url.js';

/**
 * `<flock-bell>` against the local server: notifications inserted by the service side arrive
 * live with the badge; another user subscribed to the whole table receives none of them (RLS on
 * postgres_changes); actions reach the database; and after a random sequence of operations
 * across two tabs the badge equals the database's unread count.
 */

async function sql<T = Record<string, unknown>>(query: string, params: unknown[] = []): Promise<T[]> {
  return ((await executeServerCommand('flock-sql', { sql: query, params })) as { rows: T[] }).rows;
}

async function unreadInDb(userId: string): Promise<number> {
  const [row] = await sql<{ n: number }>('select count(*)::int as n from public.flock_notifications where user_id = $1 and read_at is null', [userId]);
  return row!.n;
}

/** Polls the database until `check` holds for the value `read` returns (the database being the judge). */
async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, what: string): Promise<T> {
  for (let tries = 0; tries < 75; tries++) {
    const value = await read();
    if (check(value)) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the database never showed ${what}`);
}

async function notify(userId: string, title: string): Promise<string> {
  const [row] = await sql<{ id: string }>('insert into public.flock_notifications (user_id, title, body) values ($1, $2, $3) returning id', [userId, title, 'body of ' + title]);
  return row!.id;
}

describe('<flock-bell> against the local server', () => {
  let url: string;
  const clients: SupabaseClient[] = [];
  const hosts: HTMLElement[] = [];

  function mountBell(client: SupabaseClient): FlockBell {
    return mountWithClient(client, 'bell', '<flock-bell page-size="100"></flock-bell>', hosts).querySelector('flock-bell')!;
  }

  const badge = (bell: FlockBell) => bell.shadowRoot?.querySelector<HTMLElement>('[part="badge"]')?.dataset.count ?? '';

  before(async () => {
    url = await localServerUrl();
  });
  afterEach(async () => {
    await unmountAll(hosts, clients);
  });

  it('shows a new notification live with the badge, and nothing of it reaches another user', async () => {
    const [ada, bo] = [await appClient(url, 'Ada'), await appClient(url, 'Bo')];
    clients.push(ada, bo);
    const adaId = (await ada.auth.getUser()).data.user!.id;
    const bell = mountBell(ada);
    const leaked: unknown[] = [];
    const spy = bo.channel('bo-watches-everything').on('postgres_changes', { event: '*', schema: 'public', table: 'flock_notifications' }, (p) => leaked.push(p));
    await new Promise<void>((resolve) => spy.subscribe((s) => s === 'SUBSCRIBED' && resolve()));
    await waitFor(() => bell.notifications !== undefined && bell.shadowRoot?.querySelector('[part="button"]') !== null, 'the bell', 10_000);
    const arrived: string[] = [];
    bell.addEventListener('flock-notification', (e) => arrived.push(e.detail.notification.title));
    await new Promise((r) => setTimeout(r, 500));

    await notify(adaId, 'Your review is ready');
    await waitFor(() => badge(bell) === '1', 'the badge', 10_000);
    expect(arrived).to.deep.equal(['Your review is ready']);
    expect(bell.shadowRoot!.querySelector('[part="button"]')!.getAttribute('aria-label')).to.equal('Notifications, 1 unread');
    await notify(adaId, 'Second');
    await waitFor(() => badge(bell) === '2', 'two');
    await new Promise((r) => setTimeout(r, 500));
    expect(leaked).to.deep.equal([]);

    bell.open = true;
    await bell.updateComplete;
    await expectNoAxeViolations(bell);
    const first = bell.notifications.find((n) => n.title === 'Second')!;
    bell.shadowRoot!.querySelector<HTMLButtonElement>('[part~="toggle-read"]')!.click();
    await waitFor(() => badge(bell) === '1', 'one after mark read');
    await eventually(() => unreadInDb(adaId), (n) => n === 1, 'one unread');
    bell.shadowRoot!.querySelector<HTMLButtonElement>('[part~="toggle-read"]')!.click();
    await waitFor(() => badge(bell) === '2', 'unread again');
    bell.shadowRoot!.querySelector<HTMLButtonElement>('[part~="mark-all"]')!.click();
    await waitFor(() => badge(bell) === '', 'all read');
    await waitFor(() => bell.notifications.every((n) => n.readAt !== null), 'items read');
    await eventually(() => unreadInDb(adaId), (n) => n === 0, 'none unread');
    bell.shadowRoot!.querySelector<HTMLButtonElement>('[part~="delete"]')!.click();
    await waitFor(() => bell.notifications.length === 1, 'deleted');
    await eventually(async () => (await sql<{ n: number }>('select count(*)::int as n from public.flock_notifications where id = $1', [first.id]))[0]!.n, (n) => n === 0, 'the row deleted');
    expect(badge(bell)).to.equal('');
  });

  it('keeps the badge equal to the database after a random sequence of 50 operations across two tabs', async () => {
    const tab1 = await appClient(url, 'Cy');
    const { data } = await tab1.auth.getSession();
    const tab2 = await appClient(url);
    await tab2.auth.setSession({ access_token: data.session!.access_token, refresh_token: data.session!.refresh_token });
    clients.push(tab1, tab2);
    const me = data.session!.user.id;
    for (let i = 0; i < 5; i++) await notify(me, `Seed ${i}`);
    const bells = [mountBell(tab1), mountBell(tab2)] as const;
    await waitFor(() => bells.every((b) => b.unread === 5), 'both bells loaded', 15_000);

    const op = fc.oneof(
      fc.record({ kind: fc.constant('insert' as const) }),
      fc.record({ kind: fc.constantFrom('read' as const, 'unread' as const, 'delete' as const), tab: fc.integer({ min: 0, max: 1 }), pick: fc.nat() }),
      fc.record({ kind: fc.constant('all' as const), tab: fc.integer({ min: 0, max: 1 }) }),
      fc.record({ kind: fc.constant('server-delete' as const), pick: fc.nat() }),
    );
    const [ops] = fc.sample(fc.array(op, { minLength: 50, maxLength: 50 }), { numRuns: 1, seed: 20261123 });
    for (const [i, step] of ops!.entries()) {
      if (step.kind === 'insert') {
        await notify(me, `Op ${i}`);
      } else if (step.kind === 'server-delete') {
        await sql('delete from public.flock_notifications where id = (select id from public.flock_notifications where user_id = $1 order by created_at limit 1 offset $2)', [me, step.pick % 3]);
      } else {
        const bell = bells[step.tab]!;
        const items = bell.notifications;
        if (step.kind === 'all') {
          void (bell as unknown as { inbox: { markAllRead(): Promise<void> } }).inbox.markAllRead();
        } else if (items.length > 0) {
          const item = items[step.pick % items.length]!;
          const inbox = (bell as unknown as { inbox: { markRead(id: string, read: boolean): Promise<void>; remove(id: string): Promise<void> } }).inbox;
          void (step.kind === 'delete' ? inbox.remove(item.id) : inbox.markRead(item.id, step.kind === 'read'));
        }
      }
      if (i % 10 === 9) await new Promise((r) => setTimeout(r, 100));
    }
    // Settled: both badges equal the database's count (polled, the database being the judge).
    let truth = -1;
    for (let tries = 0; tries < 100; tries++) {
      truth = await unreadInDb(me);
      if (bells.every((b) => b.unread === truth) && bells.every((b) => !b.shadowRoot!.querySelector('[part="badge"]') === (truth === 0))) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(bells.map((b) => b.unread)).to.deep.equal([truth, truth]);
  });
});
