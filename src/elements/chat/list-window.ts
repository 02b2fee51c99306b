/**
 * Which slice of the messages held is in the DOM. A room can hold 10,000 messages; the list
 * draws at most `max` of them, and moves the slice by `step` as the reader nears either end,
 * so each move renders a small, constant amount and scrolling stays within a frame. The slice
 * is held by the id of its first message, so pages of history added before it, or messages
 * arriving after it, do not move what the reader is looking at.
 *
 * `following`: the slice ends at the newest message and stays there as messages arrive. Only
 * the reader reaching the bottom sets it (the element decides); moving the slice clears it.
 */
export class ListWindow {
  #firstId: string | undefined;
  #size: number;
  following = true;

  /**
   * 20 rows drawn per move, 120 at most in the DOM: each move's render and layout stay inside a
   * frame on a slow 2-core machine (`npm run bench -- chat`), and a screen holds far fewer.
   */
  constructor(
    readonly step = 20,
    readonly max = 120,
  ) {
    this.#size = step * 2;
  }

  /** The `[start, end)` indices of the slice within `ids` (the messages' ids, in order). */
  range(ids: readonly string[], indexOf: (id: string) => number): [number, number] {
    const total = ids.length;
    if (this.following || this.#firstId === undefined) {
      const start = Math.max(0, total - this.#size);
      this.#firstId = ids[start];
      return [start, total];
    }
    let start = indexOf(this.#firstId);
    if (start < 0) start = Math.max(0, total - this.#size);
    return [start, Math.min(total, start + this.#size)];
  }

  /** Shows `step` older messages; false when the slice already starts at the oldest held. */
  up(ids: readonly string[], indexOf: (id: string) => number): boolean {
    const [start, end] = this.range(ids, indexOf);
    if (start === 0) return false;
    const next = Math.max(0, start - this.step);
    this.#firstId = ids[next];
    this.#size = Math.min(this.max, end - next);
    this.following = false;
    return true;
  }

  /** Shows `step` newer messages; false when the slice already ends at the newest. */
  down(ids: readonly string[], indexOf: (id: string) => number): boolean {
    const [start, end] = this.range(ids, indexOf);
    if (end >= ids.length) return false;
    const nextEnd = Math.min(ids.length, end + this.step);
    const nextStart = Math.max(start, nextEnd - this.max);
    this.#firstId = ids[nextStart];
    this.#size = nextEnd - nextStart;
    return true;
  }

  /** Back to the newest messages. */
  latest(): void {
    this.following = true;
    this.#firstId = undefined;
    this.#size = this.step * 2;
  }

  /** The reader scrolled away from the newest: the slice stays where it is. */
  detach(ids: readonly string[], indexOf: (id: string) => number): void {
    if (!this.following) return;
    this.range(ids, indexOf);
    this.following = false;
  }
}
