import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

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
 * itself is what is tested.
 */
export function startChildServer(extraArgs: string[] = []): Promise<ChildServer> {
  const child = spawn(process.execPath, [FLOCK_BIN, 'serve', '--memory', '--port', '0', ...extraArgs], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /local server on (http:\/\/\S+)/.exec(output);
      if (!match?.[1]) return;
      child.stdout?.off('data', onData);
      child.stdout?.resume();
      resolve({
        url: match[1],
        process: child,
        stop: () =>
          new Promise<number | null>((done) => {
            if (child.exitCode !== null) return done(child.exitCode);
            child.once('exit', (code) => done(code));
            child.kill('SIGTERM');
          }),
      });
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited with ${code} before listening:\n${output}`)));
  });
}
