/** The `wallet` command line: serve, migrate, audit, create-user, print-schema. */
import 'reflect-metadata';
import cluster from 'node:cluster';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { validate } from 'class-validator';
import { createUser, ensureAccount } from '../app/users';
import { normalizeEmail } from '../domain/text';
import { createApp } from '../http/app';
import { answerMetricsRequests } from '../http/cluster-metrics';
import { sessionSecret } from '../app/auth/session-secret';
import { ConfigError, loadConfig, type Config } from '../config';
import type { Database } from '../db/database';
import { migrate, openDatabase } from '../db/open';
import { ROLES, type Role } from '../domain/enums';
import { DomainError } from '../domain/errors';
import { auditLedger } from '../app/audit';
import { createLogger, type Logger } from '../logger';
import { SignupInput } from '../graphql/inputs';
import { schemaText } from '../graphql/schema';
import { createServices } from '../app/services';
import { WebhookWorker } from '../app/webhooks/worker';

const USAGE = `usage: wallet <command>
  serve                 migrate, then serve the API
  migrate               apply pending migrations
  audit                 check every ledger invariant (exit 1 on any discrepancy)
  create-user --role USER|SERVICE|ADMIN --email E --password P [--name N]
  print-schema          print the GraphQL schema (schema.graphql)`;

/** How often expired sessions and ended rate-limit windows are deleted. */
const PRUNE_INTERVAL_MS = 10 * 60_000;

async function withDatabase<T>(
  config: Config,
  log: Logger,
  work: (db: Database) => Promise<T>,
): Promise<T> {
  const db = await openDatabase(config, log);
  try {
    await migrate(db);
    return await work(db);
  } finally {
    await db.close();
  }
}

/** What one process does before anyone is served: migrations, configured accounts, the secret. */
async function prepareDatabase(config: Config, log: Logger, db: Database): Promise<void> {
  const applied = await migrate(db);
  if (applied.length > 0) log.info({ migrations: applied }, 'migrations applied');
  await createServices(config, db, log); // checks DEFAULT_CURRENCY against the migrated table
  const accounts = [
    ['SERVICE', config.serviceAccount],
    ['ADMIN', config.adminAccount],
  ] as const;
  for (const [role, account] of accounts) {
    if (account === null) continue;
    const outcome = await ensureAccount(db, role, account);
    // The email says which account; the password is never logged.
    log.info({ role, email: normalizeEmail(account.email) }, `${role} account ${outcome}`);
  }
  await sessionSecret(db, config.sessionSecret);
}

/**
 * A promise nobody awaited that fails is logged, and the process goes on:
 * one failed background job must not end every request being served.
 */
function surviveUnhandledRejections(log: Logger): void {
  process.on('unhandledRejection', (reason) =>
    log.error({ err: reason }, 'unhandled rejection (a bug: every promise should be handled)'),
  );
}

/** Where a person on this machine opens the web app (a wildcard address is every address). */
function addressToOpen(host: string, port: number): string {
  const name = ['0.0.0.0', '::', ''].includes(host) ? 'localhost' : host;
  return `http://${name.includes(':') ? `[${name}]` : name}:${port}/`;
}

async function serve(config: Config, log: Logger): Promise<number> {
  surviveUnhandledRejections(log);
  if (cluster.isPrimary && config.workers > 1) return superviseWorkers(config, log);
  const db = await openDatabase(config, log);
  // In a cluster the primary has prepared the database before forking.
  if (cluster.isPrimary) await prepareDatabase(config, log, db);
  const services = await createServices(config, db, log);
  const app = await createApp(services, await sessionSecret(db, config.sessionSecret));

  // Timeouts are checked every second (Node's default is every 30 s).
  const server = http.createServer({ connectionsCheckingInterval: 1_000 }, app.express);
  // A slow client cannot hold a connection open for long.
  server.headersTimeout = 10_000;
  server.requestTimeout = 15_000; // a whole request, body included (at most 100 kB)
  server.keepAliveTimeout = 5_000;
  const pruning = setInterval(() => {
    app.sessions.pruneExpired().catch((err) => log.warn({ err }, 'session pruning failed'));
    const limiters = [
      ...services.loginLimit.limiters(),
      services.signupLimiter,
      services.emailLookupLimiter,
    ];
    for (const limiter of limiters) {
      limiter.pruneEnded().catch((err) => log.warn({ err }, 'rate limit pruning failed'));
    }
  }, PRUNE_INTERVAL_MS);
  pruning.unref();
  const webhooks = new WebhookWorker(services);

  // Handlers go in before the port opens: a signal that arrives first must
  // not meet the default action, which kills the process on the spot.
  const stopped = new Promise<number>((resolve) => {
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'shutting down: finishing requests in flight');
      app.markShuttingDown();
      clearInterval(pruning);
      const deadlineMs = Date.now() + config.shutdownTimeoutMs;
      const deadline = setTimeout(() => {
        log.warn('shutdown timeout reached; closing remaining connections');
        server.closeAllConnections();
      }, config.shutdownTimeoutMs);
      await Promise.all([
        new Promise<void>((closed) => server.close(() => closed())).then(() =>
          server.closeIdleConnections(),
        ),
        // Deliveries under way finish within the same bound; the rest are given back.
        webhooks.stop(deadlineMs),
      ]);
      clearTimeout(deadline);
      // Whatever fails while closing, the process still exits (1 then), never hangs.
      try {
        await app.apollo.stop();
        await db.close();
        log.info('stopped');
        resolve(0);
      } catch (err) {
        log.error({ err }, 'shutdown did not close cleanly');
        resolve(1);
      }
    };
    for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
      process.on(signal, () => void stop(signal));
    }
  });

  // Only a process started with --expose-gc (the soak test) collects on
  // SIGUSR2, so a test can measure the heap; no request can reach this.
  const collectGarbage = (globalThis as { gc?: () => void }).gc;
  if (collectGarbage) process.on('SIGUSR2', () => collectGarbage());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  log.info(`Wallet ready at ${addressToOpen(config.host, port)}`);
  log.info({ port, host: config.host, database: config.databaseKind }, 'listening');
  webhooks.start();
  return stopped;
}

/**
 * WORKERS > 1: prepare the database once, fork the workers (they share the
 * port), replace any that dies, and on a signal pass it to every worker and
 * exit once all have stopped.
 */
async function superviseWorkers(config: Config, log: Logger): Promise<number> {
  await withDatabase(config, log, (db) => prepareDatabase(config, log, db));
  answerMetricsRequests();
  const alive = new Set<number>();
  const fork = () => alive.add(cluster.fork().id);
  let stopping = false;
  let failedExits = 0;
  let deathsInARow = 0;
  let finish: (() => void) | null = null;
  cluster.on('exit', (worker, code, signal) => {
    alive.delete(worker.id);
    if (!stopping) {
      // Workers that keep dying (the database away) are replaced ever more slowly, up to 30 s.
      const waitMs = Math.min(30_000, 100 * 2 ** Math.min(deathsInARow++, 9));
      log.error({ pid: worker.process.pid, code, signal, waitMs }, 'worker died; starting another');
      setTimeout(() => {
        if (!stopping) fork();
      }, waitMs).unref();
      return;
    }
    if (code !== 0) failedExits++;
    finish?.();
  });
  const stopped = new Promise<number>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'shutting down: stopping workers');
      finish = () => {
        if (alive.size > 0) return;
        log.info({ failedExits }, 'stopped');
        resolve(failedExits === 0 ? 0 : 1);
      };
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
      finish();
    };
    for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
      process.on(signal, () => stop(signal));
    }
  });
  cluster.on('listening', () => (deathsInARow = 0));
  for (let i = 0; i < config.workers; i++) fork();
  log.info({ workers: config.workers }, 'workers started');
  return stopped;
}

async function createUserCommand(config: Config, log: Logger, args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      role: { type: 'string' },
      email: { type: 'string' },
      password: { type: 'string' },
      name: { type: 'string' },
    },
  });
  const role = (values.role ?? '') as Role;
  if (!ROLES.includes(role)) {
    process.stderr.write('create-user: --role must be USER, SERVICE or ADMIN\n');
    return 1;
  }
  const input = Object.assign(new SignupInput(), {
    name: values.name ?? (values.email ?? '').split('@')[0],
    email: values.email ?? '',
    password: values.password ?? '',
  });
  const problems = await validate(input);
  if (problems.length > 0) {
    const reasons = problems.flatMap((p) => Object.values(p.constraints ?? {}));
    process.stderr.write(`create-user: ${reasons.join('; ')}\n`);
    return 1;
  }
  return withDatabase(config, log, async (db) => {
    const services = await createServices(config, db, log);
    try {
      const user = await createUser(db, {
        ...input,
        role,
        walletCurrency: role === 'USER' ? services.config.defaultCurrency : null,
      });
      process.stdout.write(`created ${role} ${user.email} (${user.id})\n`);
      return 0;
    } catch (error) {
      if (error instanceof DomainError) {
        process.stderr.write(`create-user: ${error.message}\n`);
        return 1;
      }
      throw error;
    }
  });
}

async function auditCommand(config: Config, log: Logger): Promise<number> {
  return withDatabase(config, log, async (db) => {
    const report = await auditLedger(db);
    for (const line of report.discrepancies) process.stdout.write(`DISCREPANCY ${line}\n`);
    process.stdout.write(
      `audited ${report.wallets} wallets, ${report.operations} operations, ${report.transfers} transfers, ${report.holds} holds: ` +
        (report.discrepancies.length === 0
          ? 'every invariant holds\n'
          : `${report.discrepancies.length} discrepancies\n`),
    );
    return report.discrepancies.length === 0 ? 0 : 1;
  });
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'print-schema') {
    process.stdout.write(schemaText());
    return 0;
  }
  if (!['serve', 'migrate', 'audit', 'create-user'].includes(command ?? '')) {
    process.stderr.write(USAGE + '\n');
    // Asked for, the usage is the answer; otherwise it says what went wrong.
    return command === 'help' || command === '--help' ? 0 : 1;
  }
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`configuration error: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
  // Commands other than serve keep stdout for their own output.
  const log = createLogger(command === 'serve' ? config.logLevel : 'warn');
  try {
    switch (command) {
      case 'serve':
        return await serve(config, log);
      case 'migrate':
        return await withDatabase(config, log, async () => 0);
      case 'audit':
        return await auditCommand(config, log);
      default:
        return await createUserCommand(config, log, rest);
    }
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`configuration error: ${error.message}\n`);
      return 1;
    }
    log.error({ err: error }, `${command} failed`);
    process.stderr.write(`${command} failed: ${(error as Error).message}\n`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      process.stderr.write(`${String(error)}\n`);
      process.exit(1);
    },
  );
}
