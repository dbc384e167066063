/**
 * The balance chart: hand-drawn SVG with an amount axis, a date axis, a
 * tooltip on each point, a reading of the point touched, and the same
 * points as a table for screen readers and keyboards. About a hundred lines do what is needed here; a charting
 * library would add a bundler or a copied vendor file to a page that has
 * neither, for one line chart.
 */
import type { Operation } from './api.js';
import { element, when } from './dom.js';
import { formatMoney, fromMinorUnits, minorUnits, precisionOf } from './money.js';

const HEIGHT = 240;
const LEFT = 84; // room for the amounts
const BOTTOM = 28; // room for the dates
const TOP = 12;
const RIGHT = 16;
const SVG = 'http://www.w3.org/2000/svg';

function svg(tag: string, attributes: Record<string, string | number>, text?: string): SVGElement {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** A round step (1, 2 or 5 times a power of ten, in minor units) that splits `top` in about four. */
function niceStep(top: bigint): bigint {
  const raw = (top + 3n) / 4n || 1n;
  const magnitude = 10n ** BigInt(raw.toString().length - 1);
  for (const factor of [1n, 2n, 5n, 10n]) if (factor * magnitude >= raw) return factor * magnitude;
  return 10n * magnitude;
}

/** Draws `operations` (newest first, as loaded) into `box`, with its table in `tableBox`. */
export function renderChart(
  box: HTMLElement,
  tableBox: HTMLElement,
  operations: Operation[],
  currency: string,
): void {
  const points = [...operations].reverse();
  // Drawn at the box's own width, so that its text is the page's size on a phone too.
  const WIDTH = Math.max(320, Math.round(box.clientWidth) || 640);
  tableBox.replaceChildren();
  if (points.length < 2) {
    box.replaceChildren(
      element('p', { className: 'hint' }, 'The chart appears after two operations.'),
    );
    return;
  }
  const precision = precisionOf(points[0].balanceAfter);
  // Axis ticks are computed in minor units; the points' own amounts are shown as sent.
  const money = (minor: bigint) => formatMoney(fromMinorUnits(minor, precision), currency);
  const values = points.map((op) => minorUnits(op.balanceAfter));
  const times = points.map((op) => Date.parse(op.createdAt));
  const highest = values.reduce((a, b) => (b > a ? b : a), 0n);
  const step = niceStep(highest);
  const top = ((highest + step - 1n) / step) * step || step;
  const first = times[0];
  const span = times[times.length - 1] - first;

  const plotWidth = WIDTH - LEFT - RIGHT;
  const plotHeight = HEIGHT - TOP - BOTTOM;
  // Positions are pixels, not amounts: a float is fine once the value is a share of the axis.
  const x = (i: number) =>
    LEFT +
    (span > 0 ? ((times[i] - first) / span) * plotWidth : (i / (points.length - 1)) * plotWidth);
  const y = (value: bigint) =>
    TOP + plotHeight - Number((value * 10_000n) / top) * (plotHeight / 10_000);

  const chart = svg('svg', {
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    role: 'img',
    'aria-labelledby': 'chart-summary',
  });
  chart.append(
    svg(
      'title',
      { id: 'chart-summary' },
      `Balance after each of the last ${points.length} operations, from ${when(points[0].createdAt)} ` +
        `to ${when(points[points.length - 1].createdAt)}, between ${money(values.reduce((a, b) => (b < a ? b : a)))} and ${money(highest)}.`,
    ),
  );
  for (let tick = 0n; tick <= top; tick += step) {
    chart.append(
      svg('line', {
        class: tick === 0n ? 'axis' : 'grid',
        x1: LEFT,
        x2: WIDTH - RIGHT,
        y1: y(tick),
        y2: y(tick),
      }),
      svg(
        'text',
        { class: 'tick', x: LEFT - 6, y: y(tick) + 4, 'text-anchor': 'end' },
        money(tick),
      ),
    );
  }
  // As fine as the span needs: seconds within a minute, minutes within a day, else days.
  const style: Intl.DateTimeFormatOptions =
    span < 60_000
      ? { timeStyle: 'medium' }
      : span < 86_400_000
        ? { timeStyle: 'short' }
        : { dateStyle: 'medium' };
  const dateLabel = (time: number) => new Date(time).toLocaleString(undefined, style);
  // The first, middle and last points, each label once: points within one second share it.
  const labelled = [0, Math.floor((points.length - 1) / 2), points.length - 1];
  const labels = new Map<string, number>();
  for (const i of labelled) {
    const label = dateLabel(times[i]);
    if (!labels.has(label)) labels.set(label, i);
  }
  for (const [n, [label, i]] of [...labels].entries()) {
    const anchor = n === 0 ? 'start' : i === points.length - 1 ? 'end' : 'middle';
    chart.append(
      svg('text', { class: 'tick', x: x(i), y: HEIGHT - 8, 'text-anchor': anchor }, label),
    );
  }
  chart.append(svg('line', { class: 'axis', x1: LEFT, x2: LEFT, y1: TOP, y2: TOP + plotHeight }));
  chart.append(
    svg('polyline', {
      points: values.map((value, i) => `${x(i).toFixed(1)},${y(value).toFixed(1)}`).join(' '),
    }),
  );
  const reading = (i: number) =>
    `${when(points[i].createdAt)}: ${formatMoney(points[i].balanceAfter, currency)}`;
  for (const [i, value] of values.entries()) {
    const dot = svg('circle', { cx: x(i).toFixed(1), cy: y(value).toFixed(1), r: 4 });
    dot.append(svg('title', {}, reading(i)));
    chart.append(dot);
  }
  // A title shows only under a mouse: a touch (or a pointer) on the chart marks
  // the nearest point and says its balance below. The table serves the keyboard.
  const marker = svg('circle', { class: 'marker', r: 7, visibility: 'hidden' });
  const readout = element(
    'p',
    { className: 'hint chart-readout', 'aria-live': 'polite' },
    'Touch the line to read a balance.',
  );
  chart.append(marker);
  const read = (event: PointerEvent) => {
    const bounds = chart.getBoundingClientRect();
    const at = ((event.clientX - bounds.left) / bounds.width) * WIDTH;
    let nearest = 0;
    for (const i of values.keys()) if (Math.abs(x(i) - at) < Math.abs(x(nearest) - at)) nearest = i;
    marker.setAttribute('cx', x(nearest).toFixed(1));
    marker.setAttribute('cy', y(values[nearest]).toFixed(1));
    marker.setAttribute('visibility', 'visible');
    readout.textContent = reading(nearest);
  };
  chart.addEventListener('pointerdown', read);
  chart.addEventListener('pointermove', read);
  box.replaceChildren(chart, readout);

  const rows = points.map((op) =>
    element(
      'tr',
      {},
      element('td', {}, when(op.createdAt)),
      element('td', { className: 'num' }, formatMoney(op.balanceAfter, currency)),
    ),
  );
  tableBox.append(
    element(
      'details',
      {},
      element('summary', {}, 'The chart as a table'),
      element(
        'table',
        { className: 'chart-table' },
        element('caption', { className: 'sr-only' }, 'Balance after each operation'),
        element(
          'thead',
          {},
          element(
            'tr',
            {},
            element('th', { scope: 'col' }, 'Date'),
            element('th', { scope: 'col', className: 'num' }, 'Balance'),
          ),
        ),
        element('tbody', {}, ...rows),
      ),
    ),
  );
}
