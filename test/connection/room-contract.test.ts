import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js';
import { executeServerCommand } from '@web/test-runner-commands';
import { acquireRoom, type RoomLease } from '../../src/connection/connection-registry.js';
import { MemoryNetwork } from '../../src/connection/memory/room.js';
import type { MemoryRoom } from '../../src/connection/memory/room.js';
import type { Room } from '../../src/connection/types.js';
import { LOCAL_ANON_KEY } from '../../src/index.js';
import { appClient, waitFor } from '../support/browser-rooms.js';
import { roomContract, type RoomHarness } from './room-contract.js';

/** The contract against the real Room: supabase-js and a local server of its own, which really stops. */
roomContract('Supabase Room on the local server', async () => {
  const { id, url } = (await executeServerCommand('flock-server-start', {})) as { id: string; url: string };
  const roomName = `contract-${crypto.randomUUID()}`;
  const clients: SupabaseClient[] = [];
  const leases = new Map<Room, RoomLease>();
  let raw: RealtimeChannel | undefined;
  let running = true;

  const present = (room: Room) => room.user !== undefined && room.presence.has(room.user.id);

  return {
    roomName,
    async members(count) {
      const rooms: Room[] = [];
      for (let i = 0; i < count; i++) {
        const client = await appClient(url, `Member ${i + 1}`);
        clients.push(client);
        const lease = acquireRoom({ url, key: LOCAL_ANON_KEY, room: roomName, client });
        leases.set(lease.room, lease);
        rooms.push(lease.room);
      }
      // A room's user resolves after it is acquired: until then nobody can see it.
      await waitFor(() => rooms.every((r) => present(r) && rooms.every((o) => !!o.user && r.presence.has(o.user.id))), 'members see each other', 15_000);
      return rooms;
    },
    async leave(room) {
      await leases.get(room)?.release();
      leases.delete(room);
    },
    async inject(event, payload) {
      if (!raw) {
        const client = await appClient(url, 'Raw peer');
        clients.push(client);
        const { data } = await client.auth.getUser();
        const peerId = data.user!.id;
        raw = client.channel(`flock:${roomName}`, { config: { presence: { key: peerId } } });
        await new Promise<void>((resolve) => raw!.subscribe((s) => s === 'SUBSCRIBED' && resolve()));
        await raw.track({ v: 1, id: peerId, name: 'Raw peer', color: '#0f766e', status: 'active', since: Date.now() });
        await waitFor(() => [...leases.keys()].every((r) => r.presence.has(peerId)), 'the raw peer present');
      }
      await raw.send({ type: 'broadcast', event, payload });
    },
    async offline(room) {
      await executeServerCommand('flock-server-stop', { id });
      running = false;
      await waitFor(() => room.connection.status !== 'connected', 'disconnected');
    },
    async online() {
      await executeServerCommand('flock-server-restart', { id });
      running = true;
      window.dispatchEvent(new Event('online'));
    },
    async stored(table) {
      const { rows } = (await executeServerCommand('flock-sql', {
        id,
        sql: `select * from public.${table} where room = $1 order by created_at, id`,
        params: [roomName],
      })) as { rows: Record<string, unknown>[] };
      return rows;
    },
    async teardown() {
      await Promise.all([...leases.values()].map((lease) => lease.release()));
      for (const client of clients) {
        await client.removeAllChannels();
        void client.realtime.disconnect();
      }
      if (running) await executeServerCommand('flock-server-stop', { id });
    },
  } satisfies RoomHarness;
});

/** The contract against MemoryRoom: the same promises with no server at all. */
roomContract('MemoryRoom', async () => {
  const network = new MemoryNetwork();
  const roomName = `contract-${crypto.randomUUID()}`;
  const rooms: MemoryRoom[] = [];
  let peer: MemoryRoom | undefined;
  return {
    roomName,
    async members(count) {
      const joined = Array.from({ length: count }, (_, i) => network.join({ room: roomName, user: { name: `Member ${i + 1}` } }));
      rooms.push(...joined);
      await waitFor(() => joined.every((r) => joined.every((o) => !!o.user && r.presence.has(o.user.id))), 'members see each other');
      return joined;
    },
    async leave(room) {
      (room as MemoryRoom).close();
    },
    async inject(event, payload) {
      peer ??= network.join({ room: roomName, user: { name: 'Raw peer' } });
      network.inject(roomName, event, payload);
    },
    async offline(room) {
      network.down = true;
      (room as MemoryRoom).script({ status: 'reconnecting', attempt: 1 });
    },
    async online(room) {
      network.down = false;
      (room as MemoryRoom).script({ status: 'connected', attempt: 0 });
    },
    async stored(table) {
      const { rows } = await network.query({
        table,
        where: [{ column: 'room', op: 'eq', value: roomName }],
        order: [
          { column: 'created_at', ascending: true },
          { column: 'id', ascending: true },
        ],
      });
      return rows;
    },
    async teardown() {
      for (const room of rooms) room.close();
      peer?.close();
    },
  } satisfies RoomHarness;
});
