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

/** The target's box and scroll, read once per frame: reading it per cursor would force a layout each time. */
export interface TargetGeometry {
  left: number;
  top: number;
  right: number;
  bottom: number;
  width: number;
  /** Where content y = 0 is, in viewport pixels. */
  contentTop: number;
  scrollHeight: number;
}

export function measure(target: Element): TargetGeometry {
  if (isPage(target)) {
    const root = document.documentElement;
    return { left: 0, top: 0, right: root.clientWidth, bottom: root.clientHeight, width: root.clientWidth, contentTop: -window.scrollY, scrollHeight: root.scrollHeight };
  }
  const el = target as HTMLElement;
  const box = el.getBoundingClientRect();
  return { left: box.left, top: box.top, right: box.right, bottom: box.bottom, width: box.width, contentTop: box.top + el.clientTop - el.scrollTop, scrollHeight: el.scrollHeight };
}

/** Where a fraction lands in this viewport, for a measured target. */
export function toViewport(geometry: TargetGeometry, { x, y }: Fraction): ViewportPoint {
  const left = geometry.left + x * geometry.width;
  const top = geometry.contentTop + y * geometry.scrollHeight;
  return { left, top, visible: top >= geometry.top && top <= geometry.bottom && left >= geometry.left && left <= geometry.right };
}

function clamp(n: number): number {
  return Math.min(1, Math.max(0, n));
}
