import type { Duplex } from 'node:stream';

/**
 * Gathers what one client socket is sent during a turn of the event loop into one write.
 *
 * On loopback, and on a busy server, the system call is the cost of a message, not the bytes:
 * `ws` writes each frame on its own, and a profile of the 200-client load showed half the
 * server's time inside `writev`, one call per frame. A client in a busy room is sent many frames
 * a turn (a cursor from each peer), so the socket is corked at the first and uncorked once the
 * turn's I/O has been handled (`setImmediate`), and Node hands them to the kernel in one
 * `writev`. Nothing waits longer than the rest of the current turn; `end()` flushes at once.
 */
export class WriteBatch {
  private held = false;

  constructor(private readonly socket: Duplex) {}

  /** Call before each write: holds this turn's writes until the turn ends. */
  hold(): void {
    if (this.held || this.socket.destroyed) return;
    this.held = true;
    this.socket.cork();
    setImmediate(this.release);
  }

  private readonly release = (): void => {
    this.held = false;
    this.socket.uncork();
  };
}
