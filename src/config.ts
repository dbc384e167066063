import net from 'node:net';

/**
 * The environment, parsed and checked once at boot. A bad value stops start-up
 * with one line that names the variable (see cli/main.ts).
 */

/** Where a movement can be made to fail, for tests (ledger/faults.ts). */
export const FAULT_POINTS = ['after-locks', 'before-commit', 'after-commit'] as const;
export type FaultPoint = (typeof FAULT_POINTS)[number];

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    reason: string,
  ) {
    super(`${variable}: ${reason}`);
  }
}

export type DatabaseKind = 'sqlite' | 'postgres';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Config {
  readonly nodeEnv: string;
  readonly production: boolean;
  readonly port: number;
  readonly host: string;
  readonly databaseUrl: string;
  readonly databaseKind: DatabaseKind;
  /** The SQLite file path, for `sqlite:` URLs. */
  readonly sqlitePath: string | null;
  readonly sessionSecret: string | null;
  readonly sessionIdleTimeoutMs: number;
  readonly sessionAbsoluteTimeoutMs: number;
  /** How much of X-Forwarded-For is believed (see trustProxy). */
  readonly trustProxy: TrustProxy;
  /** The bearer token /metrics asks for; null: loopback clients only. */
  readonly metricsToken: string | null;
  readonly serviceAccount: ConfiguredAccount | null;
  readonly adminAccount: ConfiguredAccount | null;
  readonly defaultCurrency: string;
  readonly logLevel: LogLevel;
  readonly shutdownTimeoutMs: number;
  readonly dbConnectRetries: number;
  readonly dbConnectRetryMs: number;
  readonly dbPoolSize: number;
  readonly lockTimeoutMs: number;
  readonly workers: number;
  readonly loginMaxFailures: number;
  readonly loginMaxFailuresPerAddress: number;
  readonly signupRatePerHour: number;
  readonly emailLookupsPerHour: number;
  readonly statementDownloadsPerHour: number;
  /** Multiplies the webhook retry schedule (tests run it in milliseconds). */
  readonly webhookRetryScale: number;
  /** How long a receiver has to answer a delivery. */
  readonly webhookTimeoutMs: number;
  /** Loopback and private addresses allowed as webhook endpoints (tests, private networks). */
  readonly webhooksAllowPrivateUrls: boolean;
  /** Tests only: where and how often movements fail on purpose. */
  readonly faultInjection: { point: FaultPoint; rate: number } | null;
}

type Env = Record<string, string | undefined>;

/**
 * false: the socket's address is the client's. A number N: N proxies stand in
 * front, and the client is the N-th address from the right of X-Forwarded-For
 * (each proxy appends the address it was called from; what is left of those
 * the client wrote itself). A list: the proxies' own addresses or ranges,
 * and the client is the first address from the right that is not one of them.
 */
export type TrustProxy = false | number | readonly string[];

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^[0-9]+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) {
    throw new ConfigError(name, `must be between ${min} and ${max}, got ${raw}`);
  }
  return value;
}

/** A positive factor such as 1 or 0.001 (a schedule's, never an amount's). */
function scale(env: Env, name: string): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return 1;
  const value = /^[0-9]+(\.[0-9]+)?$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(value > 0 && value <= 1000)) {
    throw new ConfigError(name, `must be a number above 0 and at most 1000, got "${raw}"`);
  }
  return value;
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['true', '1', 'yes'].includes(raw.toLowerCase())) return true;
  if (['false', '0', 'no'].includes(raw.toLowerCase())) return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

/** An account named by the configuration; `variable` names its email's variable in errors. */
export interface ConfiguredAccount {
  email: string;
  password: string;
  variable: string;
}

function account(env: Env, prefix: string): ConfiguredAccount | null {
  const email = env[`${prefix}_EMAIL`];
  const password = env[`${prefix}_PASSWORD`];
  if (!email || !password) return null;
  if (password.length < 8 || password.length > 128) {
    throw new ConfigError(`${prefix}_PASSWORD`, 'must be 8 to 128 characters');
  }
  return { email, password, variable: `${prefix}_EMAIL` };
}

function database(raw: string): { kind: DatabaseKind; sqlitePath: string | null } {
  if (raw.startsWith('sqlite:')) {
    const path = raw.slice('sqlite:'.length);
    if (path === '') throw new ConfigError('DATABASE_URL', 'sqlite: needs a file path');
    return { kind: 'sqlite', sqlitePath: path };
  }
  if (raw.startsWith('postgres://') || raw.startsWith('postgresql://')) {
    try {
      new URL(raw);
    } catch {
      throw new ConfigError('DATABASE_URL', 'is not a valid postgres:// URL');
    }
    return { kind: 'postgres', sqlitePath: null };
  }
  throw new ConfigError(
    'DATABASE_URL',
    `unknown scheme in "${raw.split(':')[0]}:"; use sqlite:<path> or postgres://`,
  );
}

/** The most proxies a request can be said to pass through. */
const PROXY_HOPS_MAX = 10;

function trustProxy(env: Env): TrustProxy {
  const raw = (env.TRUST_PROXY ?? '').trim();
  const lower = raw.toLowerCase();
  if (['', 'false', 'no', '0'].includes(lower)) return false;
  // `true` trusts one proxy, never every hop: express's `true` would take the
  // leftmost address, which is whatever the client wrote.
  if (['true', 'yes'].includes(lower)) return 1;
  if (/^[0-9]+$/.test(raw)) return integer(env, 'TRUST_PROXY', 1, 1, PROXY_HOPS_MAX);
  const proxies = raw.split(',').map((entry) => entry.trim());
  for (const proxy of proxies) {
    if (!isAddressOrRange(proxy)) {
      throw new ConfigError(
        'TRUST_PROXY',
        `must be false, a number of proxies (1-${PROXY_HOPS_MAX}) or a comma-separated list of proxy addresses or CIDR ranges; "${proxy}" is none of those`,
      );
    }
  }
  return Object.freeze(proxies);
}

function isAddressOrRange(text: string): boolean {
  const [address, prefix, extra] = text.split('/');
  const family = net.isIP(address ?? '');
  if (family === 0 || extra !== undefined) return false;
  if (prefix === undefined) return true;
  return /^[0-9]{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

function metricsToken(env: Env): string | null {
  const token = env.METRICS_TOKEN || null;
  if (token !== null && (token.length < 16 || /\s/.test(token))) {
    throw new ConfigError('METRICS_TOKEN', 'must be at least 16 characters, without spaces');
  }
  return token;
}

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

function faultInjection(env: Env, production: boolean): Config['faultInjection'] {
  const point = env.WALLET_FAULT_INJECTION;
  if (!point) return null;
  if (production) {
    throw new ConfigError(
      'WALLET_FAULT_INJECTION',
      'is for tests only, never with NODE_ENV=production',
    );
  }
  if (!(FAULT_POINTS as readonly string[]).includes(point)) {
    throw new ConfigError('WALLET_FAULT_INJECTION', `must be one of ${FAULT_POINTS.join(', ')}`);
  }
  const rate = Number(env.WALLET_FAULT_RATE ?? '0.5');
  if (!(rate >= 0 && rate <= 1))
    throw new ConfigError('WALLET_FAULT_RATE', 'must be between 0 and 1');
  return { point: point as FaultPoint, rate };
}

export function loadConfig(env: Env = process.env): Config {
  const nodeEnv = env.NODE_ENV ?? 'development';
  const production = nodeEnv === 'production';
  const databaseUrl = env.DATABASE_URL || 'sqlite:./data/wallet.sqlite';
  const db = database(databaseUrl);

  const sessionSecret = env.SESSION_SECRET || null;
  if (production && !sessionSecret) {
    throw new ConfigError('SESSION_SECRET', 'is required when NODE_ENV=production');
  }
  if (sessionSecret !== null && sessionSecret.length < 16) {
    throw new ConfigError('SESSION_SECRET', 'must be at least 16 characters');
  }

  const logLevel = (env.LOG_LEVEL || 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);
  }

  // Any case, as people write it; whether the code exists is checked against the currencies table once migrated.
  const defaultCurrency = (env.DEFAULT_CURRENCY || 'USD').toUpperCase();
  if (!/^[A-Z]{3}$/.test(defaultCurrency)) {
    throw new ConfigError('DEFAULT_CURRENCY', `unknown currency "${defaultCurrency}"`);
  }

  const port = env.PORT === undefined || env.PORT === '' ? 4000 : Number.NaN;
  return Object.freeze({
    nodeEnv,
    production,
    port: Number.isNaN(port) ? integer(env, 'PORT', 4000, 0, 65535) : port,
    host: env.HOST || '0.0.0.0',
    databaseUrl,
    databaseKind: db.kind,
    sqlitePath: db.sqlitePath,
    sessionSecret,
    sessionIdleTimeoutMs: integer(
      env,
      'SESSION_IDLE_TIMEOUT_MS',
      1_800_000,
      1_000,
      31 * 86_400_000,
    ),
    sessionAbsoluteTimeoutMs: integer(
      env,
      'SESSION_ABSOLUTE_TIMEOUT_MS',
      604_800_000,
      1_000,
      366 * 86_400_000,
    ),
    trustProxy: trustProxy(env),
    metricsToken: metricsToken(env),
    serviceAccount: account(env, 'SERVICE_ACCOUNT'),
    adminAccount: account(env, 'ADMIN'),
    defaultCurrency,
    logLevel,
    shutdownTimeoutMs: integer(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
    dbConnectRetries: integer(env, 'DB_CONNECT_RETRIES', 10, 0, 1000),
    dbConnectRetryMs: integer(env, 'DB_CONNECT_RETRY_MS', 2000, 0, 600_000),
    dbPoolSize: integer(env, 'DB_POOL_SIZE', 10, 1, 1000),
    lockTimeoutMs: integer(env, 'LOCK_TIMEOUT_MS', 2000, 1, 600_000),
    workers: integer(env, 'WORKERS', 1, 1, 64),
    loginMaxFailures: integer(env, 'LOGIN_MAX_FAILURES', 10, 0, 1_000_000),
    loginMaxFailuresPerAddress: integer(env, 'LOGIN_MAX_FAILURES_PER_ADDRESS', 100, 0, 1_000_000),
    signupRatePerHour: integer(env, 'SIGNUP_RATE_PER_HOUR', 100, 0, 1_000_000),
    emailLookupsPerHour: integer(env, 'EMAIL_LOOKUPS_PER_HOUR', 100, 0, 1_000_000),
    statementDownloadsPerHour: integer(env, 'STATEMENT_DOWNLOADS_PER_HOUR', 60, 0, 1_000_000),
    webhookRetryScale: scale(env, 'WEBHOOK_RETRY_SCALE'),
    webhookTimeoutMs: integer(env, 'WEBHOOK_TIMEOUT_MS', 15_000, 100, 60_000),
    webhooksAllowPrivateUrls: boolean(env, 'WEBHOOKS_ALLOW_PRIVATE_URLS', false),
    faultInjection: faultInjection(env, production),
  });
}
