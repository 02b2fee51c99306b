import { connect, type Socket } from 'node:net';

/**
 * Raw TCP for what no HTTP client will send: oversized or contradictory headers, and bodies
 * that never finish. Every socket is the caller's to destroy.
 */

/** Opens a TCP connection to `port` on 127.0.0.1. */
export function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Writes `request` and resolves with everything the server sends until it closes the connection. */
export async function exchange(port: number, request: string | Buffer): Promise<string> {
  const socket = await openSocket(port);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // A reset after the answer is how Node ends some refused requests; what arrived is the answer.
    socket.on('error', () => {});
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.end(request);
  });
}

/** The status code of the first response in `raw`, or 0 when there is none. */
export function statusOf(raw: string): number {
  return Number(/^HTTP\/1\.[01] (\d{3})/.exec(raw)?.[1] ?? 0);
}
