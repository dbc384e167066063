import { InitialSchema1763700000000 } from './1763700000000-initial-schema';
import { AppendOnlyLedger1763800000000 } from './1763800000000-append-only-ledger';
import { PartialKeyIndexes1763900000000 } from './1763900000000-partial-key-indexes';
import { TransferLegsIndex1764000000000 } from './1764000000000-transfer-legs-index';
import { RateLimitWindowIndex1764100000000 } from './1764100000000-rate-limit-window-index';
import { TransferFunction1764200000000 } from './1764200000000-transfer-function';
import { TransferWritesEachWalletOnce1764300000000 } from './1764300000000-transfer-writes-each-wallet-once';
import { TransferLockWaitBounded1764400000000 } from './1764400000000-transfer-lock-wait-bounded';
import { Holds1764500000000 } from './1764500000000-holds';
import { Refunds1764600000000 } from './1764600000000-refunds';
import { PaymentRequests1764700000000 } from './1764700000000-payment-requests';
import { EventsAndWebhooks1764800000000 } from './1764800000000-events-and-webhooks';
import { Statements1764900000000 } from './1764900000000-statements';
import { WebhookEndpointStart1765000000000 } from './1765000000000-webhook-endpoint-start';
import { SessionOwners1765100000000 } from './1765100000000-session-owners';
import { WalletTransferWhole1765200000000 } from './1765200000000-wallet-transfer-whole';

/** Every migration, oldest first. Listed, not globbed, so a build can't miss one. */
export const MIGRATIONS = [
  InitialSchema1763700000000,
  AppendOnlyLedger1763800000000,
  PartialKeyIndexes1763900000000,
  TransferLegsIndex1764000000000,
  RateLimitWindowIndex1764100000000,
  TransferFunction1764200000000,
  TransferWritesEachWalletOnce1764300000000,
  TransferLockWaitBounded1764400000000,
  Holds1764500000000,
  Refunds1764600000000,
  PaymentRequests1764700000000,
  EventsAndWebhooks1764800000000,
  Statements1764900000000,
  WebhookEndpointStart1765000000000,
  SessionOwners1765100000000,
  WalletTransferWhole1765200000000,
];
