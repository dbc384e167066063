import { WalletDirectory } from './wallet-directory';
import type { Config } from '../config';
import { ConfigError } from '../config';
import type { Database } from '../db/database';
import { allCurrencies } from '../db/queries';
import { LoginLimit } from './auth/login-limit';
import { RateLimiter } from './auth/rate-limit';
import { sessionSecret } from './auth/session-secret';
import { SecretBox } from './webhooks/secrets';
import { FaultInjector } from '../ledger/faults';
import { Ledger } from '../ledger/ledger';
import { WalletSlots, queuedPasses } from '../ledger/wallet-slots';
import type { Logger } from '../logger';
import { Currencies } from '../domain/currencies';

/** Everything a request may use, made once at boot. */
export interface Services {
  config: Config;
  db: Database;
  ledger: Ledger;
  currencies: Currencies;
  wallets: WalletDirectory;
  loginLimit: LoginLimit;
  signupLimiter: RateLimiter;
  /** Lookups of other people by email, per user (paying or asking by email). */
  emailLookupLimiter: RateLimiter;
  /** CSV statements per user: each can read a year of operations. */
  statementDownloadLimiter: RateLimiter;
  /** Seals webhook endpoints' signing secrets. */
  secrets: SecretBox;
  log: Logger;
}

const ONE_HOUR_MS = 60 * 60_000;

export async function loadCurrencies(db: Database): Promise<Currencies> {
  const rows = await db.read((sql) => allCurrencies(sql));
  return Currencies.of(rows);
}

/** Everything a request may use, over a migrated database. */
export async function createServices(config: Config, db: Database, log: Logger): Promise<Services> {
  const currencies = await loadCurrencies(db);
  if (!currencies.has(config.defaultCurrency)) {
    throw new ConfigError(
      'DEFAULT_CURRENCY',
      `unknown currency "${config.defaultCurrency}"; known: ${currencies.codes().join(', ')}`,
    );
  }
  return {
    config,
    db,
    log,
    currencies,
    wallets: new WalletDirectory(),
    ledger: new Ledger(
      db,
      currencies,
      config.databaseKind === 'postgres' ? new WalletSlots(queuedPasses(config.dbPoolSize)) : null,
      config.faultInjection &&
        new FaultInjector(config.faultInjection.point, config.faultInjection.rate),
    ),
    loginLimit: new LoginLimit(db, {
      perEmailAndAddress: config.loginMaxFailures,
      perAddress: config.loginMaxFailuresPerAddress,
    }),
    signupLimiter: new RateLimiter(db, 'signup', config.signupRatePerHour, ONE_HOUR_MS),
    secrets: new SecretBox(await sessionSecret(db, config.sessionSecret)),
    emailLookupLimiter: new RateLimiter(
      db,
      'email-lookup',
      config.emailLookupsPerHour,
      ONE_HOUR_MS,
    ),
    statementDownloadLimiter: new RateLimiter(
      db,
      'statement-download',
      config.statementDownloadsPerHour,
      ONE_HOUR_MS,
    ),
  };
}
