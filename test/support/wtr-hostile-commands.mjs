// web-test-runner server commands for the hostile-peer test: supabase-js clients in Node that
// flood a room (test/support/hostile-peer.ts) and a calm one whose traffic must still arrive.
// `hostile-peers-start` opens them all, `hostile-flood` runs the flood and the calm traffic side
// by side and reports what was sent, `hostile-peers-stop` closes them.
export function hostileCommandsPlugin() {
  const groups = new Map();
  let counter = 0;
  let peers;

  async function load() {
    // tsx is registered by the local-server plugin, which starts first.
    peers ??= await import('./hostile-peer.ts');
    return peers;
  }

  function groupOf(id) {
    const group = groups.get(id);
    if (!group) throw new Error(`no hostile peers "${id}"`);
    return group;
  }

  const commands = {
    async 'hostile-peers-start'({ url, room }) {
      const { openHostileGroup } = await load();
      const group = await openHostileGroup(url, room);
      const id = `h${++counter}`;
      groups.set(id, { room, ...group });
      return { id, calm: group.calm.id, stormers: group.stormers.map((p) => p.id), forger: group.forger.id, giant: group.giant.id };
    },
    async 'hostile-flood'({ id, victims, ms }) {
      const { flood, behave } = await load();
      const group = groupOf(id);
      const [report, calm] = await Promise.all([flood(group, victims, ms), behave(group.calm, group.room, ms)]);
      return { ...report, calm };
    },
    async 'hostile-peers-stop'({ id }) {
      const group = groups.get(id);
      groups.delete(id);
      if (group) await (await load()).closeHostileGroup(group);
      return { stopped: true };
    },
  };

  return {
    name: 'flock-hostile-commands',
    async executeCommand({ command, payload }) {
      const run = commands[command];
      return run ? run(payload ?? {}) : undefined;
    },
    async serverStop() {
      for (const id of [...groups.keys()]) await commands['hostile-peers-stop']({ id });
    },
  };
}
