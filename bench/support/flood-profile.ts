import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';

/**
 * A CPU profile of a page's main thread through CDP, read for what ran inside given tasks (the
 * heaviest or longest a trace found: the profiler's clock is the trace's), summed by self time
 * (where the time went) and by total time (which caller it went under). The flood benchmark's
 * `flood-profile` variant runs it on an unminified kit, so the names are the source's.
 */

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface HeavyFunction {
  name: string;
  ms: number;
  /** Of the given tasks, how many it ran in. */
  tasks: number;
}

export interface TaskProfile {
  self: HeavyFunction[];
  total: HeavyFunction[];
  /** The whole profile, for DevTools. */
  file: string;
}

/** Starts sampling every 100 µs; the returned function stops it and gives the profile. */
export async function startProfile(page: Page): Promise<() => Promise<CpuProfile>> {
  const cdp = await page.createCDPSession();
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
  await cdp.send('Profiler.start');
  return async () => {
    const { profile } = await cdp.send('Profiler.stop');
    await cdp.detach();
    return profile as unknown as CpuProfile;
  };
}

const label = (f: CallFrame): string => `${f.functionName || '(anonymous)'} ${f.url.split('/').pop() ?? ''}:${f.lineNumber + 1}`;
/** Frames that are the engine's, not a function's: they count as self time but name no caller. */
const SYNTHETIC = new Set(['(root)', '(program)', '(garbage collector)', '(idle)']);

/** Sums the samples taken inside `windows` (µs on the trace clock) by function; writes the profile to a temp file for DevTools. */
export async function profileOf(profile: CpuProfile, windows: ReadonlyArray<readonly [number, number]>, top = 12): Promise<TaskProfile> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  const self = new Map<string, HeavyFunction>();
  const total = new Map<string, HeavyFunction>();
  /** `seen`: the names already counted in this task. */
  const add = (sums: Map<string, HeavyFunction>, name: string, delta: number, seen: Set<string>) => {
    const sum = sums.get(name) ?? { name, ms: 0, tasks: 0 };
    sum.ms += delta;
    if (!seen.has(name)) {
      seen.add(name);
      sum.tasks++;
    }
    sums.set(name, sum);
  };
  // A sample's time runs to the next sample.
  const at: number[] = [];
  for (let i = 0, t = profile.startTime; i < profile.samples.length; i++) at.push((t += profile.timeDeltas[i] ?? 0));
  for (const [from, to] of windows) {
    const seenSelf = new Set<string>();
    const seenTotal = new Set<string>();
    for (let i = 0; i < profile.samples.length; i++) {
      if (at[i]! < from || at[i]! >= to) continue;
      const delta = ((at[i + 1] ?? at[i]!) - at[i]!) / 1000;
      const leaf = byId.get(profile.samples[i]!)!;
      add(self, SYNTHETIC.has(leaf.callFrame.functionName) || !leaf.callFrame.url ? leaf.callFrame.functionName || '(native)' : label(leaf.callFrame), delta, seenSelf);
      // Each function once per sample however deep it recurses.
      const onStack = new Set<string>();
      for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
        const frame = byId.get(id)!.callFrame;
        if (!SYNTHETIC.has(frame.functionName) && frame.url) onStack.add(label(frame));
      }
      for (const name of onStack) add(total, name, delta, seenTotal);
    }
  }
  const file = join(tmpdir(), `flock-flood-${Date.now()}.cpuprofile`);
  await writeFile(file, JSON.stringify(profile));
  const round = (f: HeavyFunction) => ({ ...f, ms: Math.round(f.ms * 10) / 10 });
  const heaviest = (sums: Map<string, HeavyFunction>) => [...sums.values()].sort((x, y) => y.ms - x.ms).slice(0, top).map(round);
  return { self: heaviest(self), total: heaviest(total), file };
}
