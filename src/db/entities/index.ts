import { CurrencyEntity } from './currency.entity';
import { EventEntity } from './event.entity';
import { HoldEntity } from './hold.entity';
import { OperationEntity } from './operation.entity';
import { PaymentRequestEntity } from './payment-request.entity';
import { RateLimitEntity } from './rate-limit.entity';
import { ServiceReferenceEntity } from './service-reference.entity';
import { SessionEntity } from './session.entity';
import { SettingEntity } from './setting.entity';
import { TransferEntity } from './transfer.entity';
import { UserEntity } from './user.entity';
import { WalletEntity } from './wallet.entity';
import { WebhookDeliveryEntity, WebhookEndpointEntity } from './webhook.entity';

export const ENTITIES = [
  CurrencyEntity,
  UserEntity,
  WalletEntity,
  TransferEntity,
  OperationEntity,
  SessionEntity,
  SettingEntity,
  RateLimitEntity,
  HoldEntity,
  ServiceReferenceEntity,
  PaymentRequestEntity,
  EventEntity,
  WebhookEndpointEntity,
  WebhookDeliveryEntity,
];
