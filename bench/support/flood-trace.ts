import type { Page } from 'puppeteer-core';

/**
 * A Chromium performance trace of a page's main thread, read for its long tasks: each one's
 * wall time and the CPU time its thread actually got (on a shared two-core machine a task is
 * often long only because the renderer was descheduled), and what ran inside it.
 */

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string; data?: Record<string, unknown> };
}

export interface LongTask {
  /** Start and end on the trace clock (µs), the CPU profiler's too. */
  window: [number, number];
  wallMs: number;
  cpuMs: number;
  /** The top-level work inside it, longest first: `FunctionCall fn file:line`, `EventDispatch type`, `Layout`… */
  inside: Array<{ what: string; ms: number }>;
}

export interface TraceFigures {
  /** Main-thread tasks of `minMs` wall time or more, longest first. */
  longTasks: LongTask[];
  /** Of those, the ones whose thread had `minMs` of CPU: long because of the work, not the machine. */
  cpuBound: number;
  /** The three tasks that took the most CPU, however long they lasted. */
  heaviest: LongTask[];
}

/** What is recorded: the tasks without their place on the trace clock. */
export type TaskFigures = Omit<LongTask, 'window'>;
export interface TraceRecord {
  longTasks: TaskFigures[];
  cpuBound: number;
  heaviest: TaskFigures[];
}

export function forResults(trace: TraceFigures): TraceRecord {
  const strip = ({ window: _, ...task }: LongTask): TaskFigures => task;
  return { longTasks: trace.longTasks.map(strip), cpuBound: trace.cpuBound, heaviest: trace.heaviest.map(strip) };
}

const CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute'];
/** A task on a thread's queue, its duration the task's (`dur` wall, `tdur` the thread's CPU). */
const TASK = new Set(['RunTask']);

/** Starts tracing the browser; the returned function stops and reads the page's main thread for tasks of `minMs` or more. */
export async function startTrace(page: Page, minMs: number): Promise<() => Promise<TraceFigures>> {
  await page.tracing.start({ categories: CATEGORIES });
  return async () => {
    const buffer = await page.tracing.stop();
    const events = (JSON.parse(Buffer.from(buffer ?? new Uint8Array()).toString('utf8')) as { traceEvents: TraceEvent[] }).traceEvents;
    return longTasks(events, minMs);
  };
}

function describe(e: TraceEvent): string {
  const data = e.args?.data ?? {};
  if (e.name === 'FunctionCall') {
    const file = String(data.url ?? '').split('/').pop();
    return `FunctionCall ${String(data.functionName || '(anonymous)')} ${file}:${Number(data.lineNumber ?? 0) + 1}`;
  }
  if (e.name === 'EventDispatch') return `EventDispatch ${String(data.type)}`;
  return e.name;
}

function longTasks(events: TraceEvent[], minMs: number): TraceFigures {
  // The page's main thread: the renderer's CrRendererMain with the most task time (other renderers idle).
  const mains = new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
  const busy = new Map<string, number>();
  for (const e of events) if (e.ph === 'X' && TASK.has(e.name) && mains.has(`${e.pid}:${e.tid}`)) busy.set(`${e.pid}:${e.tid}`, (busy.get(`${e.pid}:${e.tid}`) ?? 0) + (e.dur ?? 0));
  const main = [...busy].sort((a, b) => b[1] - a[1])[0]?.[0];
  const onMain = events.filter((e) => e.ph === 'X' && `${e.pid}:${e.tid}` === main).sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));
  const read = (task: TraceEvent): LongTask => {
    const end = task.ts + (task.dur ?? 0);
    // Top-level children only: an event inside another one inside the task is already counted.
    const sums = new Map<string, number>();
    let coveredUntil = task.ts;
    for (const e of onMain) {
      if (e === task || TASK.has(e.name) || e.ts < task.ts || e.ts >= end || e.ts < coveredUntil) continue;
      coveredUntil = e.ts + (e.dur ?? 0);
      sums.set(describe(e), (sums.get(describe(e)) ?? 0) + (e.dur ?? 0) / 1000);
    }
    const inside = [...sums].map(([what, ms]) => ({ what, ms: Math.round(ms * 10) / 10 })).sort((a, b) => b.ms - a.ms).slice(0, 5);
    return { window: [task.ts, end], wallMs: Math.round((task.dur ?? 0) / 100) / 10, cpuMs: Math.round((task.tdur ?? 0) / 100) / 10, inside };
  };
  const tasks = onMain.filter((e) => TASK.has(e.name));
  const long = tasks.filter((e) => (e.dur ?? 0) >= minMs * 1000).map(read).sort((a, b) => b.wallMs - a.wallMs);
  const heaviest = [...tasks].sort((a, b) => (b.tdur ?? 0) - (a.tdur ?? 0)).slice(0, 3).map(read);
  return { longTasks: long, cpuBound: long.filter((t) => t.cpuMs >= minMs).length, heaviest };
}
