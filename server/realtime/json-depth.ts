/**
 * How deep a peer's JSON may nest. The server re-encodes every payload it relays
 * (`JSON.stringify`, which recurses) and realtime-js deep-copies presence state the same way,
 * so a small frame nested a few thousand levels deep would overflow the stack: on the server
 * at the next presence diff or join of that room, in every browser at its next presence sync.
 * The kit's shapes nest two levels; 64 leaves apps plenty of room.
 */
export const MAX_JSON_DEPTH = 64;

/** Whether `value` (parsed JSON) nests at most `max` arrays or objects deep; iterative, so it cannot overflow itself. */
export function withinJsonDepth(value: unknown, max = MAX_JSON_DEPTH): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    if (depth >= max) return false;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return true;
}
