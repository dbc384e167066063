/**
 * WORKERS > 1: a primary process forks workers that share the port. /metrics
 * on any worker covers them all: the worker asks the primary, which gathers
 * every worker's registry (prom-client's AggregatorRegistry) and answers.
 */
import cluster from 'node:cluster';
import { randomUUID } from 'node:crypto';
import { AggregatorRegistry } from 'prom-client';

const METRICS_REQUEST = 'wallet:metrics-request';
const METRICS_RESPONSE = 'wallet:metrics-response';
const METRICS_TIMEOUT_MS = 5_000;

interface MetricsMessage {
  type: string;
  id: string;
  text?: string;
  error?: string;
}

/** In the primary: answer workers' requests for the whole cluster's metrics. */
export function answerMetricsRequests(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, message: MetricsMessage) => {
    if (message?.type !== METRICS_REQUEST) return;
    // A worker that died meanwhile cannot be answered; its channel's error is not the primary's end.
    const answer = (reply: MetricsMessage) => {
      if (worker.isConnected()) worker.send(reply, undefined, () => undefined);
    };
    aggregator.clusterMetrics().then(
      (text) => answer({ type: METRICS_RESPONSE, id: message.id, text }),
      (error: Error) => answer({ type: METRICS_RESPONSE, id: message.id, error: error.message }),
    );
  });
}

/** In a worker: the metrics of every worker, in Prometheus text format. */
export function clusterMetrics(): Promise<string> {
  const id = randomUUID();
  return new Promise((resolve, reject) => {
    const onMessage = (message: MetricsMessage) => {
      if (message?.type !== METRICS_RESPONSE || message.id !== id) return;
      clearTimeout(timer);
      process.off('message', onMessage);
      if (message.error !== undefined) reject(new Error(message.error));
      else resolve(message.text ?? '');
    };
    const timer = setTimeout(() => {
      process.off('message', onMessage);
      reject(new Error('the primary did not answer for metrics'));
    }, METRICS_TIMEOUT_MS);
    process.on('message', onMessage);
    process.send?.({ type: METRICS_REQUEST, id });
  });
}

export const isWorker = (): boolean => cluster.isWorker;
