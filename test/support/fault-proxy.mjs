// A fault-injecting TCP proxy for tests, between the browser and a local server. It works on
// bytes, so HTTP and the WebSocket alike go through it and nothing above the socket is mocked.
// Faults, each switchable while connections are open:
//   latency + jitter   every chunk waits latencyMs + random·jitterMs, never overtaking the one before
//   bandwidth          bytesPerSecond per direction, shared by every connection (one link)
//   drop               ends every open connection: 'close' (FIN both ways) or 'reset' (RST)
//   black-hole         open connections go silent for good: no data, no close, either way (the
//                      half-open link only heartbeats reveal); while on, new ones are swallowed too
//   hold / release     forwarding pauses (both ways) and resumes with everything held, in order
//   refuse             new connections are reset as soon as they arrive
// A black-holed connection never forwards again even after `blackhole(false)`: bytes were lost
// mid-stream, so resuming it would hand the peer a corrupt WebSocket stream.
import net from 'node:net';

/** Largest slice sent at once while throttled, so a big chunk trickles rather than jumps. */
const SLICE_BYTES = 4096;

/**
 * Starts a proxy on 127.0.0.1 (free port) forwarding to `targetPort` on 127.0.0.1. The target
 * may stop and start again (a server restart): each new connection dials it afresh.
 */
export async function startFaultProxy(targetPort, options = {}) {
  const shape = { latencyMs: 0, jitterMs: 0, bytesPerSecond: 0, ...pickShape(options) };
  const flags = { held: false, blackhole: false, refuse: false };
  const counts = { accepted: 0, refused: 0, swallowed: 0, dropped: 0, blackholed: 0 };
  // One link per direction: the time it is busy sending until (bandwidth is shared).
  const links = { up: { freeAt: 0 }, down: { freeAt: 0 } };
  const pairs = new Set();

  function pump(lane) {
    clearTimeout(lane.timer);
    lane.timer = undefined;
    if (lane.pair.dead || flags.held) return;
    const now = Date.now();
    while (lane.queue.length > 0) {
      const head = lane.queue[0];
      if (head.at > now) {
        lane.timer = setTimeout(() => pump(lane), head.at - now);
        return;
      }
      lane.queue.shift();
      if (!lane.to.destroyed) lane.to.write(head.chunk);
    }
    if (lane.ended && !lane.to.destroyed) lane.to.end();
  }

  function enqueue(lane, chunk) {
    const link = links[lane.direction];
    const slices = [];
    if (shape.bytesPerSecond > 0) for (let i = 0; i < chunk.length; i += SLICE_BYTES) slices.push(chunk.subarray(i, i + SLICE_BYTES));
    else slices.push(chunk);
    for (const slice of slices) {
      const now = Date.now();
      let departs = now;
      if (shape.bytesPerSecond > 0) {
        departs = Math.max(now, link.freeAt) + (slice.length / shape.bytesPerSecond) * 1000;
        link.freeAt = departs;
      }
      const arrives = departs + shape.latencyMs + Math.random() * shape.jitterMs;
      // Order holds per direction: a chunk never overtakes the one before it.
      const at = Math.max(arrives, lane.lastAt);
      lane.lastAt = at;
      lane.queue.push({ chunk: slice, at });
    }
    pump(lane);
  }

  function lane(pair, from, to, direction) {
    const l = { pair, to, direction, queue: [], lastAt: 0, ended: false, timer: undefined };
    from.on('data', (chunk) => {
      if (pair.dead) return;
      enqueue(l, chunk);
    });
    from.on('end', () => {
      if (pair.dead) return;
      l.ended = true;
      pump(l);
    });
    return l;
  }

  /** Makes a pair silent for good (black-hole): nothing more is forwarded, nothing closed. */
  function silence(pair) {
    if (pair.dead) return;
    pair.dead = true;
    for (const l of pair.lanes) {
      clearTimeout(l.timer);
      l.queue.length = 0;
    }
    counts.blackholed++;
  }

  function destroy(pair, reset) {
    pairs.delete(pair);
    for (const l of pair.lanes) clearTimeout(l.timer);
    for (const socket of [pair.client, pair.upstream]) {
      if (!socket || socket.destroyed) continue;
      if (reset && typeof socket.resetAndDestroy === 'function' && socket.readyState === 'open') socket.resetAndDestroy();
      else socket.destroy();
    }
  }

  function end(pair) {
    // A graceful close: what is queued is forgotten, both sides get a FIN.
    pairs.delete(pair);
    for (const l of pair.lanes) {
      clearTimeout(l.timer);
      l.queue.length = 0;
    }
    pair.dead = true;
    for (const socket of [pair.client, pair.upstream]) if (!socket.destroyed) socket.end(() => socket.destroy());
    // A peer that never answers the FIN must not keep the socket for ever.
    setTimeout(() => {
      pair.client.destroy();
      pair.upstream.destroy();
    }, 1000).unref();
  }

  const server = net.createServer((client) => {
    client.on('error', () => undefined);
    if (flags.refuse) {
      counts.refused++;
      if (typeof client.resetAndDestroy === 'function') client.resetAndDestroy();
      else client.destroy();
      return;
    }
    counts.accepted++;
    if (flags.blackhole) {
      // Accepted and then ignored: the browser waits on a connection that never answers.
      counts.swallowed++;
      const pair = { client, upstream: undefined, lanes: [], dead: true };
      pairs.add(pair);
      client.on('data', () => undefined);
      client.on('close', () => pairs.delete(pair));
      return;
    }
    const upstream = net.connect(targetPort, '127.0.0.1');
    const pair = { client, upstream, lanes: [], dead: false };
    pairs.add(pair);
    pair.lanes.push(lane(pair, client, upstream, 'up'), lane(pair, upstream, client, 'down'));
    for (const socket of [client, upstream]) {
      socket.setNoDelay(true);
      // A refused or reset upstream (server stopped) ends the pair, as a real network would;
      // a black-holed pair stays up until the proxy drops or closes it.
      socket.on('error', () => {
        if (!pair.dead) destroy(pair, false);
      });
      socket.on('close', () => {
        if (!pair.dead) destroy(pair, false);
        else if (client.destroyed && upstream.destroyed) pairs.delete(pair);
      });
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = server.address().port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    /** Latency (ms), jitter (ms, uniform 0…jitter on top) and bandwidth (bytes/s, 0 = unlimited) for chunks arriving from now on. */
    shape(next) {
      Object.assign(shape, pickShape(next));
      return { ...shape };
    },
    /** The old delay-proxy API: the same latency in each direction, no jitter. */
    setDelay(ms) {
      shape.latencyMs = ms;
    },
    /** Ends every open connection ('close': FIN, 'reset': RST); returns how many. */
    drop(mode = 'close') {
      const open = [...pairs];
      for (const pair of open) {
        if (!pair.upstream) destroy(pair, mode === 'reset');
        else if (mode === 'reset') destroy(pair, true);
        else end(pair);
      }
      counts.dropped += open.length;
      return open.length;
    },
    /** On: open connections go silent for good, new ones are swallowed. Off: new connections work again. */
    blackhole(on) {
      flags.blackhole = on;
      if (on) for (const pair of pairs) silence(pair);
    },
    /** Pauses forwarding both ways; what arrives meanwhile waits. */
    hold() {
      flags.held = true;
    },
    /** Resumes forwarding: everything held goes out, in order. */
    release() {
      flags.held = false;
      for (const pair of pairs) for (const l of pair.lanes) pump(l);
    },
    /** While on, new connections are reset as they arrive (open ones are left alone). */
    refuse(on) {
      flags.refuse = on;
    },
    stats() {
      return { ...counts, open: pairs.size, ...flags, ...shape };
    },
    async close() {
      for (const pair of [...pairs]) destroy(pair, false);
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

function pickShape(input) {
  const out = {};
  for (const key of ['latencyMs', 'jitterMs', 'bytesPerSecond']) {
    const value = input?.[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new Error(`${key} must be a number ≥ 0`);
    out[key] = value;
  }
  return out;
}
