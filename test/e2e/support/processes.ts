import { spawn, type ChildProcess } from 'node:child_process';

export interface Started {
  /** The first capture group of `ready` in the output. */
  match: string;
  process: ChildProcess;
  /** Everything the command printed so far (stdout and stderr). */
  output(): string;
  /** Ends the command and everything it started (its process group), and waits for it. */
  stop(): Promise<void>;
}

/**
 * Runs a command as a user would type it (`npm start`, `npx flock-kit serve`) in its own process
 * group, and resolves once its output matches `ready`. Rejects with the output if it exits first
 * or prints nothing matching within `timeoutMs`.
 */
export function startCommand(command: string, args: string[], ready: RegExp, options: { cwd?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<Started> {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        resolve();
      }
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`\`${command} ${args.join(' ')}\` printed nothing matching ${ready} in ${options.timeoutMs ?? 120_000} ms:\n${output}`));
    }, options.timeoutMs ?? 120_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const found = ready.exec(output);
      if (!found) return;
      clearTimeout(timer);
      resolve({ match: found[1] ?? found[0], process: child, output: () => output, stop });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`\`${command} ${args.join(' ')}\` exited with ${code}:\n${output}`));
    });
  });
}
