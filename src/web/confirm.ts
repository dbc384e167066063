/**
 * The one rule for every action that moves money (sending, paying a
 * request, giving back): the page asks first, naming the amount and the
 * person ("Send $12.50 to Bob Smith?", "Pay $8.00 to Dan Okafor?", "Give
 * back $40.00 to Eve Martin?"), with focus on confirming so that Enter
 * does it. What was asked is what runs, and it runs once however often it
 * is confirmed (a double click, Enter held down).
 */
import { element } from './dom.js';

/** What moves the money, as the question and its button say it. */
export type MoneyVerb = 'Send' | 'Pay' | 'Give back';

/** "Send $12.50 to Bob Smith?": the words of every confirmation. */
export function moneyQuestion(verb: MoneyVerb, money: string, whom: string): string {
  return `${verb} ${money} to ${whom}?`;
}

/** The button that confirms: "Confirm and send", "Confirm and pay", "Confirm and give back". */
export function confirmLabel(verb: MoneyVerb): string {
  return `Confirm and ${verb.toLowerCase()}`;
}

/** A confirmation's parts: a group named by its question, the buttons to confirm or not. */
export interface ConfirmParts {
  box: HTMLElement;
  question: HTMLElement;
  yes: HTMLButtonElement;
  no: HTMLButtonElement;
}

/**
 * The markup of a confirmation, hidden until it asks: a group named by its
 * question. `prefix` makes its ids unique (send-question, send-yes …).
 */
export function confirmParts(prefix: string, verb: MoneyVerb, noLabel = 'Change'): ConfirmParts {
  const question = element('p', { id: `${prefix}-question`, className: 'question' });
  const yes = element('button', { type: 'button', id: `${prefix}-yes` }, confirmLabel(verb));
  const no = element(
    'button',
    { type: 'button', id: `${prefix}-no`, className: 'secondary' },
    noLabel,
  );
  const box = element(
    'div',
    {
      id: `${prefix}-confirm`,
      className: 'confirm',
      role: 'group',
      'aria-labelledby': question.id,
    },
    question,
    element('div', { className: 'actions' }, yes, no),
  );
  box.hidden = true;
  return { box, question, yes, no };
}

/** How many confirmed actions are on their way (the page does not redraw under them). */
let moving = 0;

export function moneyMoving(): boolean {
  return moving > 0;
}

export class Confirmation {
  private pending: (() => Promise<void>) | null = null;

  /** `onNo`: where the person goes on not confirming (back to what they would change). */
  constructor(
    private readonly parts: ConfirmParts,
    onNo: () => void,
  ) {
    parts.yes.addEventListener('click', () => void this.confirm());
    parts.no.addEventListener('click', () => {
      this.hide();
      onNo();
    });
  }

  /** Asks `question`; confirming runs `run`, once. */
  ask(question: string, run: () => Promise<void>): void {
    this.pending = run;
    this.parts.question.textContent = question;
    this.parts.box.hidden = false;
    this.parts.yes.focus();
  }

  /** Nothing is asked any more: what was asked can no longer be confirmed. */
  hide(): void {
    this.pending = null;
    this.parts.box.hidden = true;
    this.parts.question.textContent = '';
  }

  get asking(): boolean {
    return this.pending !== null;
  }

  /** Confirmed and on its way. */
  get busy(): boolean {
    return this.parts.yes.disabled;
  }

  private async confirm(): Promise<void> {
    const run = this.pending;
    if (run === null || this.parts.yes.disabled) return;
    this.parts.yes.disabled = true;
    moving++;
    try {
      await run();
    } finally {
      moving--;
      this.parts.yes.disabled = false;
    }
  }
}
