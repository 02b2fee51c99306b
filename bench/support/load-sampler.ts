import { clockTicks, machineTicks, rssKb, serverCpuTicks } from './process-usage.ts';
import { now } from './load-protocol.ts';

/**
 * The server process's CPU and resident memory, sampled at a fixed interval from Linux's
 * /proc (`/proc/<pid>/stat` utime + stime, `/proc/<pid>/status` VmRSS): a series, so a
 * load run can print peak and mean and a soak can print its memory curve. Elsewhere than
 * Linux the figures are NaN.
 */

export interface Sample {
  /** Since sampling started, ms. */
  atMs: number;
  /** Over the interval that ended here, as a percentage of one core. */
  cpuPercent: number;
  rssMiB: number;
}

export interface SampledUsage {
  samples: Sample[];
  intervalMs: number;
  rssStartMiB: number;
  rssPeakMiB: number;
  rssMeanMiB: number;
  rssEndMiB: number;
  /** Over the whole window (total CPU time ÷ wall time), % of one core. */
  cpuMeanPercent: number;
  /** The busiest interval, % of one core. */
  cpuPeakPercent: number;
  /** This process (the clients in their worker threads), % of one core, over the whole window. */
  generatorCpuPercent: number;
  /** The whole machine over the window, % of all its cores. */
  machineBusyPercent: number;
}

export function sampleServer(pid: number, intervalMs: number, onSample?: (s: Sample) => void): { stop(): SampledUsage } {
  const hz = clockTicks();
  const start = now();
  const startTicks = serverCpuTicks(pid);
  const machineStart = machineTicks();
  const selfStart = process.cpuUsage();
  const rssStartMiB = rssKb(pid) / 1024;
  const samples: Sample[] = [];
  let lastAt = start;
  let lastTicks = startTicks;

  const take = (): void => {
    const t = now();
    const ticks = serverCpuTicks(pid);
    const sample = { atMs: t - start, cpuPercent: ((ticks - lastTicks) / hz / ((t - lastAt) / 1000)) * 100, rssMiB: rssKb(pid) / 1024 };
    lastAt = t;
    lastTicks = ticks;
    samples.push(sample);
    onSample?.(sample);
  };
  const timer = setInterval(take, intervalMs);

  return {
    stop(): SampledUsage {
      clearInterval(timer);
      const wallMs = now() - start;
      const machineEnd = machineTicks();
      const self = process.cpuUsage(selfStart);
      const rss = samples.map((s) => s.rssMiB);
      const round1 = (n: number): number => Math.round(n * 10) / 10;
      return {
        samples: samples.map((s) => ({ atMs: Math.round(s.atMs), cpuPercent: round1(s.cpuPercent), rssMiB: round1(s.rssMiB) })),
        intervalMs,
        rssStartMiB: round1(rssStartMiB),
        rssPeakMiB: round1(Math.max(rssStartMiB, ...rss)),
        rssMeanMiB: round1(rss.reduce((a, b) => a + b, 0) / Math.max(1, rss.length)),
        rssEndMiB: round1(rss.at(-1) ?? rssStartMiB),
        cpuMeanPercent: round1((((serverCpuTicks(pid) - startTicks) / hz) * 1000 * 100) / wallMs),
        cpuPeakPercent: round1(Math.max(0, ...samples.map((s) => s.cpuPercent))),
        generatorCpuPercent: round1(((self.user + self.system) / 1000 / wallMs) * 100),
        machineBusyPercent: round1((1 - (machineEnd.idle - machineStart.idle) / (machineEnd.total - machineStart.total)) * 100),
      };
    },
  };
}

/**
 * Least-squares slope of the last `fraction` of the RSS samples, in MiB per minute: the
 * start (the heap warming up to its working size) is left out, as a soak's verdict should be
 * about the steady state.
 */
export function rssSlope(samples: readonly Sample[], fraction = 0.8): { slopeMiBPerMin: number; points: number; r2: number } {
  const tail = samples.slice(Math.floor(samples.length * (1 - fraction)));
  const n = tail.length;
  if (n < 3) return { slopeMiBPerMin: Number.NaN, points: n, r2: Number.NaN };
  const xs = tail.map((s) => s.atMs / 60_000);
  const ys = tail.map((s) => s.rssMiB);
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
    syy += (ys[i]! - my) ** 2;
  }
  const slope = sxy / sxx;
  return { slopeMiBPerMin: Math.round(slope * 1000) / 1000, points: n, r2: syy === 0 ? 0 : Math.round(((sxy * sxy) / (sxx * syy)) * 1000) / 1000 };
}
