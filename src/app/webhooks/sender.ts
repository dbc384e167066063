/**
 * One attempt to deliver an event: a POST of its body, signed per Standard
 * Webhooks with the `standardwebhooks` library, to the address the URL
 * policy checked (no second DNS lookup), within the timeout. A receiver
 * cannot hold the worker: no redirect is followed, at most a few KiB of an
 * answer are read (its words are never kept), and the whole attempt ends at the timeout.
 */
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { Webhook } from 'standardwebhooks';
import type { AttemptOutcome } from './deliveries';
import { resolveEndpoint, type UrlPolicy } from './url-policy';

/** Of an answer, at most this much is read (and none of it kept). */
const ANSWER_BYTES_MAX = 4_096;

export interface Attempt {
  url: string;
  secret: string;
  /** The event's id: the webhook-id a receiver de-duplicates by. */
  eventId: string;
  body: string;
  timeoutMs: number;
  policy: UrlPolicy;
  signal: AbortSignal;
}

export async function attemptDelivery(attempt: Attempt): Promise<AttemptOutcome> {
  const url = new URL(attempt.url);
  let target;
  try {
    target = await resolveEndpoint(url, attempt.policy);
  } catch (error) {
    return { delivered: false, statusCode: null, error: (error as Error).message };
  }
  const timestamp = new Date();
  const signature = new Webhook(attempt.secret).sign(attempt.eventId, timestamp, attempt.body);
  const pinned: LookupFunction = (_host, options, callback) => {
    if ((options as { all?: boolean }).all) {
      (callback as (e: null, addresses: { address: string; family: number }[]) => void)(null, [
        { address: target.address, family: target.family },
      ]);
    } else {
      callback(null, target.address, target.family);
    }
  };
  return new Promise<AttemptOutcome>((resolve) => {
    let settled = false;
    const finish = (outcome: AttemptOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      attempt.signal.removeEventListener('abort', onAbort);
      request.destroy();
      resolve(outcome);
    };
    const fail = (error: string, statusCode: number | null = null) =>
      finish({ delivered: false, statusCode, error });
    const request = (url.protocol === 'https:' ? https : http).request(
      url,
      {
        method: 'POST',
        lookup: pinned,
        agent: false,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'wallet-service-webhooks/1',
          'webhook-id': attempt.eventId,
          'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
          'webhook-signature': signature,
        },
      },
      (response) => {
        const statusCode = response.statusCode ?? 0;
        // The answer's words stay unread: they may be a private service's
        // internals, and lastError is shown to the endpoint's owner.
        let answerBytes = 0;
        response.on('data', (chunk: Buffer) => {
          answerBytes += chunk.length;
          // Enough is known: the rest of a large answer is not waited for.
          if (answerBytes >= ANSWER_BYTES_MAX) settle();
        });
        const settle = () => {
          if (statusCode >= 200 && statusCode < 300) finish({ delivered: true, statusCode });
          else if (statusCode >= 300 && statusCode < 400) fail('redirect not followed', statusCode);
          else fail(`answered ${statusCode}`, statusCode);
        };
        response.on('end', settle);
        response.on('error', () => settle());
      },
    );
    const timer = setTimeout(
      () => fail(`no answer within ${attempt.timeoutMs} ms`),
      attempt.timeoutMs,
    );
    const onAbort = () => fail('shutting down');
    attempt.signal.addEventListener('abort', onAbort);
    // The code only: a message names the address the name resolved to.
    request.on('error', (error: NodeJS.ErrnoException) =>
      fail(`request failed (${error.code ?? 'network error'})`),
    );
    request.end(attempt.body);
  });
}
