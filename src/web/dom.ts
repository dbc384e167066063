/** Small helpers for building the page from data, always as text (never HTML from data). */

export const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

type Child = Node | string;

/** An element with attributes and children; strings become text nodes. */
export function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === 'className') node.className = value;
    else node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
}

/** A message in words at the top of the page ('' hides it). */
export function notice(text: string): void {
  const box = $('notice');
  box.textContent = text;
  box.hidden = text === '';
}

/** Says `text` in the error next to a field, and marks the field (or clears both with ''). */
export function fieldError(errorId: string, fieldId: string | null, text: string): void {
  $(errorId).textContent = text;
  if (fieldId === null) return;
  if (text === '') $(fieldId).removeAttribute('aria-invalid');
  else $(fieldId).setAttribute('aria-invalid', 'true');
}

/** A date and time in the person's own locale and zone. */
export function when(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** Every result said ("Sent $12.50 to Bob Smith."): each is about the last action only. */
export function clearResults(): void {
  for (const result of document.querySelectorAll('.success')) result.replaceChildren();
}
