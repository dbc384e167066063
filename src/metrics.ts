import cluster from 'node:cluster';
import {
  AggregatorRegistry,
  Counter,
  Gauge,
  Histogram,
  Registry,
  collectDefaultMetrics,
} from 'prom-client';

export const registry = new Registry();
collectDefaultMetrics({ register: registry });
// In a cluster worker, this is the registry the primary gathers from; prom-client
// answers the primary's requests only once an AggregatorRegistry exists here.
AggregatorRegistry.setRegistries([registry]);
if (cluster.isWorker) new AggregatorRegistry();

export const graphqlRequests = new Counter({
  name: 'wallet_graphql_requests_total',
  help: 'GraphQL requests by operation name and outcome (ok or the first error code).',
  labelNames: ['operation', 'outcome'] as const,
  registers: [registry],
});

export const graphqlDuration = new Histogram({
  name: 'wallet_graphql_request_duration_seconds',
  help: 'GraphQL request latency by operation name.',
  labelNames: ['operation'] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [registry],
});

export const movements = new Counter({
  name: 'wallet_movements_total',
  help: 'Money movements by kind and outcome (committed, replayed, or the refusal code).',
  labelNames: ['kind', 'outcome'] as const,
  registers: [registry],
});

export const passwordVerifications = new Counter({
  name: 'wallet_password_verifications_total',
  help: 'argon2 verifications: exactly one per login attempt, whether the email exists or not.',
  registers: [registry],
});

export const statementsCancelled = new Counter({
  name: 'wallet_statements_cancelled_total',
  help: "A movement's statements cancelled past its deadline (PostgreSQL): a wallet's lock held elsewhere past LOCK_TIMEOUT_MS, or a database slower than the grace.",
  registers: [registry],
});

export const webhookDeliveries = new Counter({
  name: 'wallet_webhook_deliveries_total',
  help: 'Webhook attempts by what became of the delivery: delivered, retry (to be tried again), failed (no more tries).',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

export const webhookOldestUndelivered = new Gauge({
  name: 'wallet_webhook_oldest_undelivered_seconds',
  help: 'Age of the oldest event still waiting to be delivered to an endpoint (0: none waits).',
  aggregator: 'max',
  registers: [registry],
});
