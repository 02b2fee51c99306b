// A TCP proxy that holds every chunk for `delayMs` in each direction, for tests that need a slow
// network without mocking anything above the socket (HTTP and WebSocket frames pass through as
// bytes). Order is kept per direction even when the delay changes: a chunk never overtakes the
// one before it.
import net from 'node:net';

export async function startDelayProxy(targetPort, delayMs = 0) {
  let delay = delayMs;
  const sockets = new Set();
  const forward = (from, to) => {
    let lastRelease = 0;
    from.on('data', (chunk) => {
      const at = Math.max(Date.now() + delay, lastRelease);
      lastRelease = at;
      setTimeout(() => {
        if (!to.destroyed) to.write(chunk);
      }, at - Date.now());
    });
    from.on('end', () => setTimeout(() => to.end(), Math.max(0, lastRelease - Date.now())));
  };
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      // A refused or reset upstream (server stopped) ends the pair, as a real network would.
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    forward(client, upstream);
    forward(upstream, client);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    setDelay(ms) {
      delay = ms;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
