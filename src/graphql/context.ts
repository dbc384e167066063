import type { Request, Response } from 'express';
import type { WalletDirectory } from '../app/wallet-directory';
import type { Config } from '../config';
import type { Database } from '../db/database';
import type { UserId } from '../db/rows';
import type { Role } from '../db/entities/user.entity';
import type { Ledger } from '../ledger/ledger';
import type { Logger } from '../logger';
import type { Currencies } from '../domain/currencies';
import type { LoginLimit } from '../app/auth/login-limit';
import type { RateLimiter } from '../app/auth/rate-limit';
import type { SecretBox } from '../app/webhooks/secrets';

declare module 'express-session' {
  interface SessionData {
    userId: string;
    role: Role;
  }
}

export interface Caller {
  userId: UserId;
  role: Role;
}

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

export interface Context {
  req: Request;
  res: Response;
  requestId: string;
  caller: Caller | null;
  services: Services;
  log: Logger;
}
