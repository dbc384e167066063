/**
 * Fault injection, for tests only: makes movements fail at a chosen point so
 * tests can prove that no partial movement is ever visible, no lock is left
 * held, and a retry with the same key completes exactly once. Turned on only
 * by the process's environment (WALLET_FAULT_INJECTION, WALLET_FAULT_RATE),
 * never by a request, and refused at start-up under NODE_ENV=production.
 */
import type { FaultPoint } from '../config';

export class InjectedFault extends Error {
  constructor(point: FaultPoint) {
    super(`injected fault at ${point}`);
    this.name = 'InjectedFault';
  }
}

export class FaultInjector {
  constructor(
    private readonly point: FaultPoint,
    /** Chance, 0..1, that a movement reaching the point fails there. */
    private readonly rate: number,
  ) {}

  at(point: FaultPoint): void {
    if (point === this.point && Math.random() < this.rate) throw new InjectedFault(point);
  }
}
