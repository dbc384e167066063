/** Every kind of event the service reports: a new one is a line here and one where it happens. */
export const EVENT_TYPES = [
  'DEPOSIT_CREATED',
  'WITHDRAWAL_CREATED',
  'TRANSFER_CREATED',
  'REFUND_CREATED',
  'HOLD_AUTHORIZED',
  'HOLD_CAPTURED',
  'HOLD_VOIDED',
  'HOLD_EXPIRED',
  'PAYMENT_REQUEST_CREATED',
  'PAYMENT_REQUEST_PAID',
  'PAYMENT_REQUEST_DECLINED',
  'PAYMENT_REQUEST_CANCELED',
  'PAYMENT_REQUEST_EXPIRED',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];
