import { AdminResolver } from './admin.resolver';
import { AuthResolver } from './auth.resolver';
import { HoldResolver } from './hold.resolver';
import { OperationResolver } from './operation.resolver';
import { PaymentRequestResolver } from './payment-request.resolver';
import { PartyResolver } from './party.resolver';
import { RefundResolver } from './refund.resolver';
import { StatementResolver, WalletHistoryResolver } from './statement.resolver';
import { WebhookResolver } from './webhook.resolver';
import { MovementResolver } from './movement.resolver';
import { UserFieldsResolver, WalletResolver } from './wallet.resolver';

export const RESOLVERS = [
  AuthResolver,
  WalletResolver,
  UserFieldsResolver,
  MovementResolver,
  HoldResolver,
  RefundResolver,
  PartyResolver,
  WalletHistoryResolver,
  StatementResolver,
  OperationResolver,
  PaymentRequestResolver,
  WebhookResolver,
  AdminResolver,
] as const;
