import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface Started {
  /** The first capture group of `ready` in the output (the whole match if it has none). */
  match: string;
  process: ChildProcess;
  /** Ends the command (and, with `group`, everything it started) and resolves with its exit code. */
  stop(): Promise<number | null>;
}

export interface StartOptions {
  cwd?: string;
  /** How long `ready` may take to appear. Default 120 s. */
  timeoutMs?: number;
  /**
   * Run it in a process group of its own and end the whole group: for commands that start the
   * real work in a child of their own (`npm start`, `npx …`). Default true.
   */
  group?: boolean;
}

/**
 * Runs a command as a user would type it (`npm start`, `npx flock-kit serve`) and resolves once
 * its output (stdout or stderr) matches `ready`; rejects with that output if it exits first or
 * takes longer than `timeoutMs`. Past `ready`, stdout is dropped and stderr goes to this
 * process's, so a server's errors still show in the test log.
 */
export function startCommand(command: string, args: string[], ready: RegExp, options: StartOptions = {}): Promise<Started> {
  const group = options.group ?? true;
  const child = spawn(command, args, { cwd: options.cwd, detached: group, stdio: ['ignore', 'pipe', 'pipe'] });
  const stop = (): Promise<number | null> =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
      child.once('exit', (code) => resolve(code));
      try {
        process.kill(group ? -child.pid! : child.pid!, 'SIGTERM');
      } catch {
        resolve(child.exitCode);
      }
    });
  const timeoutMs = options.timeoutMs ?? 120_000;
  return new Promise((resolve, reject) => {
    let output = '';
    const onExit = (code: number | null): void => {
      clearTimeout(timer);
      reject(new Error(`\`${command} ${args.join(' ')}\` exited with ${code} before it was ready:\n${output}`));
    };
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`\`${command} ${args.join(' ')}\` printed nothing matching ${ready} in ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const found = ready.exec(output);
      if (!found) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      child.stdout!.off('data', onData).resume();
      child.stderr!.off('data', onData).pipe(process.stderr, { end: false });
      resolve({ match: found[1] ?? found[0], process: child, stop });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', onExit);
  });
}

export interface ChildServer {
  url: string;
  process: ChildProcess;
  /** Sends SIGTERM and resolves with the exit code once the process is gone. */
  stop(): Promise<number | null>;
}

/** The package's command, as `npx flock-kit` runs it. */
export const FLOCK_BIN = fileURLToPath(new URL('../../bin/flock-kit.js', import.meta.url));

/**
 * Starts `flock-kit serve --memory` in its own process on a free port, as a user would run it,
 * so the server's CPU is not shared with the load generator's event loop, and the command line
 * itself is what is tested. Not in a group of its own: it ends with this process on Ctrl-C.
 */
export async function startChildServer(extraArgs: string[] = []): Promise<ChildServer> {
  // FLOCK_SERVER_CPU_PROF=<dir>: the server writes a V8 CPU profile there when it stops (for the load bench).
  const profile = process.env.FLOCK_SERVER_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.FLOCK_SERVER_CPU_PROF}`] : [];
  const started = await startCommand(process.execPath, [...profile, FLOCK_BIN, 'serve', '--memory', '--port', '0', ...extraArgs], /local server on (http:\/\/\S+)/, { group: false });
  return { url: started.match, process: started.process, stop: started.stop };
}
