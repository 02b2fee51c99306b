/**
 * Pointer positions as the v1 `cursor` wire shape carries them: x as a fraction of the target's
 * width, y as a fraction of its scroll height, so two people with different window sizes, zoom
 * and scroll positions point at the same content. The page itself (`<html>`) is a target whose
 * scroll is the window's.
 */

export interface Fraction {
  x: number;
  y: number;
}

export interface ViewportPoint {
  left: number;
  top: number;
  /** False when that content is scrolled out of the target's visible box. */
  visible: boolean;
}

function isPage(target: Element): boolean {
  return target === document.documentElement || target === document.body;
}

/** The fraction under a viewport point, or undefined when the point is not over the target. */
export function toFraction(target: Element, clientX: number, clientY: number): Fraction | undefined {
  const box = target.getBoundingClientRect();
  if (isPage(target)) {
    const root = document.documentElement;
    const x = clientX / root.clientWidth;
    const y = (clientY + window.scrollY) / root.scrollHeight;
    return x >= 0 && x <= 1 && y >= 0 && y <= 1 ? { x, y } : undefined;
  }
  if (clientX < box.left || clientX > box.right || clientY < box.top || clientY > box.bottom) return undefined;
  const el = target as HTMLElement;
  const x = (clientX - box.left) / box.width;
  const y = (clientY - box.top - el.clientTop + el.scrollTop) / el.scrollHeight;
  return { x: clamp(x), y: clamp(y) };
}

/** Where a fraction lands in this viewport, for this target's size and scroll. */
export function toViewport(target: Element, { x, y }: Fraction): ViewportPoint {
  if (isPage(target)) {
    const root = document.documentElement;
    const left = x * root.clientWidth;
    const top = y * root.scrollHeight - window.scrollY;
    return { left, top, visible: top >= 0 && top <= root.clientHeight };
  }
  const el = target as HTMLElement;
  const box = el.getBoundingClientRect();
  const left = box.left + x * box.width;
  const top = box.top + el.clientTop + y * el.scrollHeight - el.scrollTop;
  return { left, top, visible: top >= box.top && top <= box.bottom && left >= box.left && left <= box.right };
}

function clamp(n: number): number {
  return Math.min(1, Math.max(0, n));
}
