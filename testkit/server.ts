/** The real server, started as its own process (`wallet serve`), on a fresh database. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freshDatabase, type DatabaseKind, type FreshDatabase } from './databases';

export const MAIN = path.resolve(__dirname, '..', 'src', 'cli', 'main.js');
export const SERVICE_ACCOUNT = { email: 'provider@wallet.test', password: 'provider-password' };
export const ADMIN_ACCOUNT = { email: 'admin@wallet.test', password: 'admin-password' };

export interface TestServer {
  url: string;
  databaseUrl: string;
  process: ChildProcess;
  output(): string;
  /** Sends a signal and waits for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function serverEnv(databaseUrl: string, env: Record<string, string> = {}) {
  return {
    ...process.env,
    // Not 'test': the server must behave here as it does in production (Apollo
    // changes its signal handling under NODE_ENV=test).
    NODE_ENV: 'development',
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    SERVICE_ACCOUNT_EMAIL: SERVICE_ACCOUNT.email,
    SERVICE_ACCOUNT_PASSWORD: SERVICE_ACCOUNT.password,
    ADMIN_EMAIL: ADMIN_ACCOUNT.email,
    ADMIN_PASSWORD: ADMIN_ACCOUNT.password,
    LOG_LEVEL: 'info',
    ...env,
  };
}

const running = new Set<TestServer>();

/** Stops every server still running: a failed assertion must not leave one behind (the test file would never end). */
export async function stopAllServers(): Promise<void> {
  await Promise.all([...running].map((server) => server.stop('SIGKILL')));
}

/** The port in a server's "listening" log line, once its output has one. */
export function portListenedOn(output: string): number | undefined {
  const line = output.split('\n').find((l) => l.includes('"msg":"listening"'));
  return line === undefined ? undefined : (JSON.parse(line).port as number);
}

export async function startServerOn(
  databaseUrl: string,
  env: Record<string, string> = {},
  nodeOptions: string[] = [],
  /** Another build's entry point (the benchmarks compare builds). */
  main = MAIN,
): Promise<TestServer> {
  const child = spawn(process.execPath, [...nodeOptions, main, 'serve'], {
    env: serverEnv(databaseUrl, env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`server did not start in time:\n${output}`)),
      30_000,
    );
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const listeningOn = portListenedOn(output);
      if (listeningOn !== undefined) {
        clearTimeout(timer);
        resolve(listeningOn);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
  const server: TestServer = {
    url: `http://127.0.0.1:${port}`,
    databaseUrl,
    process: child,
    output: () => output,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const code = await exited;
      running.delete(server);
      return code;
    },
  };
  running.add(server);
  return server;
}

export interface TestEnvironment {
  server: TestServer;
  database: FreshDatabase;
  close(): Promise<void>;
}

/** A server on a fresh database of `kind`; close() stops it and drops the database. */
export async function startServer(
  kind: DatabaseKind = 'sqlite',
  env: Record<string, string> = {},
): Promise<TestEnvironment> {
  const database = await freshDatabase(kind);
  const server = await startServerOn(database.url, env);
  return {
    server,
    database,
    close: async () => {
      await server.stop();
      await database.drop();
    },
  };
}
