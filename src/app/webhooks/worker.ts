/**
 * The webhook worker inside `wallet serve`: every turn it fans new events
 * out into deliveries, claims the deliveries that are due (a lease each),
 * and sends them, at most one at a time per endpoint and a few endpoints
 * per owner at once, so a slow receiver holds up only its owner. It also expires holds and
 * payment requests whose time has come, so their events go out without
 * anyone touching them. At shutdown it stops claiming, lets the attempts
 * under way finish within the deadline, and gives back the rest unattempted.
 */
import assert from 'node:assert/strict';
import type { Services } from '../services';
import { findEvent } from '../../db/queries';
import { expireDue } from '../expiry';
import { webhookDeliveries, webhookOldestUndelivered } from '../../metrics';
import {
  claimDue,
  dispatchEvents,
  oldestUndeliveredSeconds,
  recordAttempt,
  releaseClaims,
  type Claimed,
} from './deliveries';
import { ENDPOINT_DELETED, endpointsById } from './endpoints';
import type { EndpointRow } from '../../domain/records';
import { attemptDelivery } from './sender';

/** How often the worker looks for work. */
const TURN_MS = 200;
/**
 * Endpoints sent to at once, per process, and how many of them one owner
 * (the service account or admin that made them) may take: an owner whose
 * receivers never answer holds up only its own deliveries while fewer than
 * IN_FLIGHT_MAX / OWNER_IN_FLIGHT_MAX owners do the same.
 */
const IN_FLIGHT_MAX = 64;
const OWNER_IN_FLIGHT_MAX = 4;
/** Deliveries claimed for one endpoint per turn, sent one after the other. */
const PER_ENDPOINT_MAX = 8;
/** Kept free at the end of a lease for recording an attempt's outcome. */
const RECORD_MARGIN_MS = 2_000;
/** The longest wait between turns while they keep failing. */
const TURN_BACKOFF_MAX_MS = 5_000;
/** Why an endpoint's deliveries fail once SESSION_SECRET has changed (docs/operations.md). */
export const SECRET_UNREADABLE =
  "the endpoint's signing secret cannot be opened (SESSION_SECRET changed); recreate the endpoint";
/** How often expiries are looked for. */
const EXPIRY_EVERY_MS = 1_000;

export class WebhookWorker {
  private timer: NodeJS.Timeout | null = null;
  private stopping = false;
  /** Endpoint id → the chain sending to it, and the endpoint's owner. */
  private readonly inFlight = new Map<string, { owner: string; chain: Promise<void> }>();
  private readonly abort = new AbortController();
  private lastExpiryMs = 0;
  private turning: Promise<void> = Promise.resolve();
  /** Expiries under way, if any. */
  private expiring: Promise<void> | null = null;
  /** Endpoints whose secret could not be opened, already logged. */
  private readonly unreadable = new Set<string>();
  /** Turns failed in a row (the database away): the next waits longer. */
  private failedTurns = 0;

  constructor(private readonly services: Services) {}

  start(): void {
    this.schedule();
  }

  private schedule(): void {
    if (this.stopping) return;
    const waitMs = Math.min(TURN_MS * 2 ** this.failedTurns, TURN_BACKOFF_MAX_MS);
    this.timer = setTimeout(() => {
      this.turning = this.turn()
        .then(
          () => {
            this.failedTurns = 0;
          },
          (err) => {
            this.failedTurns = Math.min(this.failedTurns + 1, 16);
            this.services.log.warn({ err }, 'webhook worker turn failed; trying again later');
          },
        )
        .finally(() => this.schedule());
    }, waitMs);
    this.timer.unref();
  }

  private async turn(): Promise<void> {
    const { db } = this.services;
    if (Date.now() - this.lastExpiryMs >= EXPIRY_EVERY_MS) {
      this.lastExpiryMs = Date.now();
      // Beside the turn, not in it: an expiry waiting on a busy wallet's lock
      // must not hold up deliveries.
      this.expiring ??= expireDue(this.services)
        .catch((err) => this.services.log.warn({ err }, 'expiries failed; tried again later'))
        .finally(() => (this.expiring = null));
    }
    while ((await dispatchEvents(db)) > 0 && !this.stopping);
    webhookOldestUndelivered.set(await oldestUndeliveredSeconds(db));
    if (this.stopping) return;
    const claimedAtMs = Date.now();
    const claims = await claimDue(
      db,
      {
        endpointsMax: IN_FLIGHT_MAX,
        endpointsPerOwnerMax: OWNER_IN_FLIGHT_MAX,
        perEndpointMax: PER_ENDPOINT_MAX,
        leaseMs: this.leaseMs(),
      },
      new Map([...this.inFlight].map(([endpointId, { owner }]) => [endpointId, owner])),
    );
    const byEndpoint = new Map<string, Claimed[]>();
    for (const claim of claims) {
      byEndpoint.set(claim.endpointId, [...(byEndpoint.get(claim.endpointId) ?? []), claim]);
    }
    // Read after the claims: an endpoint made a moment ago is among them.
    const endpoints = await endpointsById(db, [...byEndpoint.keys()]);
    for (const [endpointId, queue] of byEndpoint) {
      const endpoint = endpoints.get(endpointId);
      // A failure here (the database away while recording) marks nothing and
      // ends nothing: the claims' leases run out and they are tried again.
      const chain = this.sendInTurn(endpoint ?? null, queue, claimedAtMs)
        .catch((err) =>
          this.services.log.error(
            { err, endpointId },
            'webhook deliveries not recorded; retried later',
          ),
        )
        .finally(() => this.inFlight.delete(endpointId));
      this.inFlight.set(endpointId, { owner: queue[0].ownerUserId, chain });
    }
  }

  /** A lease outlasts an attempt: its timeout, the record after it, and a margin. */
  private leaseMs(): number {
    return 2 * this.services.config.webhookTimeoutMs + 5_000;
  }

  /** One endpoint's claims, one after the other; those not attempted at shutdown are given back. */
  private async sendInTurn(
    endpoint: EndpointRow | null,
    queue: Claimed[],
    claimedAtMs: number,
  ): Promise<void> {
    const { db, config } = this.services;
    const leaseEndsMs = claimedAtMs + this.leaseMs();
    for (let i = 0; i < queue.length; i++) {
      const claim = queue[i];
      // An attempt starts only within its lease, so no other instance can be making it too.
      const leaseTooShort = Date.now() + config.webhookTimeoutMs + RECORD_MARGIN_MS > leaseEndsMs;
      if (this.stopping || leaseTooShort) {
        await releaseClaims(db, queue.slice(i));
        return;
      }
      const event = await db.read((sql) => findEvent(sql, claim.eventId));
      assert.ok(event, `event ${claim.eventId} of delivery ${claim.id} exists`);
      const secret = endpoint === null ? null : this.openSecret(endpoint);
      const outcome =
        endpoint === null
          ? {
              delivered: false as const,
              statusCode: null,
              error: ENDPOINT_DELETED,
              final: true,
            }
          : secret === null
            ? { delivered: false as const, statusCode: null, error: SECRET_UNREADABLE, final: true }
            : await attemptDelivery({
                url: endpoint.url,
                secret,
                eventId: event.id,
                body: event.body,
                timeoutMs: config.webhookTimeoutMs,
                policy: {
                  production: config.production,
                  allowPrivate: config.webhooksAllowPrivateUrls,
                },
                signal: this.abort.signal,
              });
      if (this.abort.signal.aborted && !outcome.delivered) {
        // Cut short by shutdown: not a failure of the receiver's; due again at once.
        await releaseClaims(db, queue.slice(i));
        return;
      }
      const status = await recordAttempt(db, claim, outcome, config.webhookRetryScale);
      if (status !== null) {
        webhookDeliveries.inc({
          outcome: status === 'DELIVERED' ? 'delivered' : status === 'FAILED' ? 'failed' : 'retry',
        });
      }
    }
  }

  /**
   * The endpoint's signing secret, or null when it was sealed under another
   * SESSION_SECRET: nothing can sign for it until it is made again. Said
   * once per endpoint, not at every delivery.
   */
  private openSecret(endpoint: EndpointRow): string | null {
    try {
      return this.services.secrets.open(endpoint.secretCiphertext);
    } catch {
      if (!this.unreadable.has(endpoint.id)) {
        this.unreadable.add(endpoint.id);
        this.services.log.error({ endpointId: endpoint.id }, SECRET_UNREADABLE);
      }
      return null;
    }
  }

  /**
   * Stops claiming, and waits for the attempts under way until `deadlineMs`;
   * then cuts them short and gives their deliveries back, so none is lost.
   */
  async stop(deadlineMs: number): Promise<void> {
    this.stopping = true;
    if (this.timer !== null) clearTimeout(this.timer);
    await this.turning;
    await this.expiring;
    const everything = Promise.all([...this.inFlight.values()].map(({ chain }) => chain));
    const left = Math.max(0, deadlineMs - Date.now());
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>(
      (resolve) => (timer = setTimeout(() => resolve('late'), left)),
    );
    if ((await Promise.race([everything.then(() => 'done' as const), late])) === 'late') {
      this.abort.abort();
      await everything;
    }
    clearTimeout(timer);
  }
}
