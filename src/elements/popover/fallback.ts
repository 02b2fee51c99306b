/**
 * The placement `popover.styles.ts` asks of CSS anchor positioning, for browsers without it:
 * below the trigger (above when there is more room there), starting at its inline start edge,
 * else ending at its inline end edge, else shifted to fit; capped to the room left, with a margin.
 */

/** Whether this browser positions popovers itself (anchor positioning with position-area). */
export const anchorsSupported = (): boolean => typeof CSS !== 'undefined' && CSS.supports('position-area', 'block-end') && CSS.supports('anchor-name', '--a');

/** Space kept between the panel and the viewport's edges, and between the panel and its trigger. */
const EDGE = 8;
const GAP = 4;

export interface Placement {
  left: number;
  top: number;
  maxHeight: number;
}

/**
 * Where a panel of `width`×`height` goes for a trigger `box`, in a `viewportWidth`×`viewportHeight`
 * viewport; `rtl` starts it at the trigger's right edge.
 */
export function place(box: { left: number; right: number; top: number; bottom: number }, width: number, height: number, viewportWidth: number, viewportHeight: number, rtl: boolean): Placement {
  const w = Math.min(width, viewportWidth - 2 * EDGE);
  const fromStart = rtl ? box.right - w : box.left;
  const fromEnd = rtl ? box.left : box.right - w;
  const fits = (x: number) => x >= EDGE && x + w <= viewportWidth - EDGE;
  const centred = (box.left + box.right) / 2 - w / 2;
  const left = fits(fromStart) ? fromStart : fits(fromEnd) ? fromEnd : Math.min(Math.max(EDGE, centred), viewportWidth - EDGE - w);
  const below = viewportHeight - box.bottom - GAP - EDGE;
  const above = box.top - GAP - EDGE;
  const down = height <= below || below >= above;
  const maxHeight = Math.max(0, down ? below : above);
  const top = down ? box.bottom + GAP : box.top - GAP - Math.min(height, maxHeight);
  return { left, top, maxHeight };
}

/** Positions `panel` (fixed, in the top layer) against `trigger` with `place`. */
export function placePanel(panel: HTMLElement, trigger: Element): void {
  const box = trigger.getBoundingClientRect();
  const root = document.documentElement;
  panel.style.maxBlockSize = '';
  const { width, height } = panel.getBoundingClientRect();
  const { left, top, maxHeight } = place(box, width, height, root.clientWidth, window.innerHeight, getComputedStyle(trigger).direction === 'rtl');
  Object.assign(panel.style, { margin: '0', left: `${left}px`, top: `${top}px`, maxBlockSize: `${maxHeight}px` });
}
