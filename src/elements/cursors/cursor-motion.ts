/**
 * Where each remote cursor is drawn: positions (as fractions) ease towards the last one
 * received with a critically damped approach — smooth at 20 updates a second, never
 * overshooting the target — or jump straight there with reduced motion. One `step` per frame
 * for all cursors; it reports whether anything still moves, so the frame loop can stop.
 */
export interface Tracked {
  x: number;
  y: number;
  toX: number;
  toY: number;
  /** When the last message for it arrived (performance.now()). */
  heardAt: number;
}

/** Time constant of the approach, ms: about one send interval at 20 Hz, so motion looks continuous. */
const TAU_MS = 45;
const SETTLED = 0.0001;

export class CursorMotion {
  readonly cursors = new Map<string, Tracked>();

  constructor(private readonly reduced: () => boolean) {}

  /** A new position for `id`; a cursor seen for the first time appears where it is. */
  aim(id: string, x: number, y: number, now = performance.now()): void {
    const cursor = this.cursors.get(id);
    if (!cursor || this.reduced()) {
      this.cursors.set(id, { x, y, toX: x, toY: y, heardAt: now });
      return;
    }
    cursor.toX = x;
    cursor.toY = y;
    cursor.heardAt = now;
  }

  remove(id: string): boolean {
    return this.cursors.delete(id);
  }

  /** Advances every cursor by `dtMs`; true while any is still on its way. */
  step(dtMs: number): boolean {
    const k = this.reduced() ? 1 : 1 - Math.exp(-Math.max(0, dtMs) / TAU_MS);
    let moving = false;
    for (const c of this.cursors.values()) {
      c.x += (c.toX - c.x) * k;
      c.y += (c.toY - c.y) * k;
      if (Math.abs(c.toX - c.x) < SETTLED && Math.abs(c.toY - c.y) < SETTLED) {
        c.x = c.toX;
        c.y = c.toY;
      } else {
        moving = true;
      }
    }
    return moving;
  }
}
