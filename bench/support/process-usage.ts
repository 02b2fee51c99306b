import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/**
 * What a benchmark window cost: the server process's CPU and resident memory, this process's
 * CPU (the load generator, all its threads) and how busy the whole machine was. Read from
 * Linux's /proc (`/proc/<pid>/stat` and `/proc/<pid>/status` for the server, `/proc/stat` for
 * the machine) and `process.cpuUsage()` for this process; elsewhere the /proc figures are NaN.
 */

export interface Usage {
  /** Server CPU as a percentage of one core over the window. */
  serverCpuPercent: number;
  /** Server resident memory when the window opened, and its peak during it. */
  serverRssStartMiB: number;
  serverRssPeakMiB: number;
  /** The load generator (this process, all its threads) as a percentage of one core. */
  generatorCpuPercent: number;
  /** The whole machine, as a percentage of all its cores: kernel networking shows up only here. */
  machineBusyPercent: number;
}

const now = (): number => performance.timeOrigin + performance.now();

/**
 * Samples the server's resident memory every 100 ms and takes CPU totals for the server, this
 * process and the machine at the start and at `stop`.
 */
export function watchProcesses(pid: number): { stop(): Usage } {
  const ticksPerSecond = clockTicks();
  const serverStart = serverCpuTicks(pid);
  const machineStart = machineTicks();
  const selfStart = process.cpuUsage();
  const wallStart = now();
  const startKb = rssKb(pid);
  let peakKb = startKb;
  const sampler = setInterval(() => (peakKb = Math.max(peakKb, rssKb(pid))), 100);
  return {
    stop(): Usage {
      clearInterval(sampler);
      peakKb = Math.max(peakKb, rssKb(pid));
      const wallMs = now() - wallStart;
      const serverMs = ((serverCpuTicks(pid) - serverStart) / ticksPerSecond) * 1000;
      const self = process.cpuUsage(selfStart);
      const machineEnd = machineTicks();
      const total = machineEnd.total - machineStart.total;
      return {
        serverCpuPercent: Math.round((serverMs / wallMs) * 100),
        serverRssStartMiB: Math.round(startKb / 1024),
        serverRssPeakMiB: Math.round(peakKb / 1024),
        generatorCpuPercent: Math.round(((self.user + self.system) / 1000 / wallMs) * 100),
        machineBusyPercent: Math.round((1 - (machineEnd.idle - machineStart.idle) / total) * 100),
      };
    },
  };
}

/** All CPUs' time since boot, in ticks: the total and the idle part (idle + iowait). */
export function machineTicks(): { total: number; idle: number } {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    return { total: fields.reduce((a, b) => a + b, 0), idle: fields[3]! + fields[4]! };
  } catch {
    return { total: Number.NaN, idle: Number.NaN };
  }
}

/** A process's user + system CPU time since it started, in clock ticks. */
export function serverCpuTicks(pid: number): number {
  try {
    // Fields after the command name: state is field 3, utime 14, stime 15.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return Number.NaN;
  }
}

/** A process's resident memory now, in KiB (VmRSS). */
export function rssKb(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  } catch {
    return Number.NaN;
  }
}

/** Clock ticks per second, the unit of /proc's CPU times (usually 100). */
export function clockTicks(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

/** One line of usage, and a warning when the machine itself was the limit. */
export function printUsage(u: Usage, indent: string): void {
  const cores = cpus().length;
  console.log(
    `${indent}server: CPU ${u.serverCpuPercent}% of one core, RSS ${u.serverRssStartMiB} MiB at the start, peak ${u.serverRssPeakMiB} MiB; ` +
      `load generator: CPU ${u.generatorCpuPercent}% of one core; machine: ${u.machineBusyPercent}% busy across ${cores} cores`,
  );
  if (u.machineBusyPercent >= 90) {
    console.log(
      `${indent}note: the machine was saturated (server, clients and loopback networking share ${cores} cores), ` +
        'so these figures bound this machine, not the server alone; latency includes the clients\' own queueing',
    );
  }
}
