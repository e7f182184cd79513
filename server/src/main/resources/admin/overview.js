// Overview: devices by push service and browser, the queue, alerts, and deliveries per minute by outcome.
import uPlot from '/admin/uPlot.esm.js';
import { get } from '/admin/api.js';
import { h, mount, title, table, badge } from '/admin/ui.js';

// Colours with at least 3:1 contrast on the light and the dark background; each series also has its own dash.
const STATES = [
  ['sent', '#1a7f37', []], ['failed', '#cf222e', [6, 3]], ['gone', '#8250df', [2, 2]], ['expired', '#9a6700', [8, 4, 2, 4]],
  ['queued', '#0969da', [4, 4]], ['suppressed', '#6e7781', [1, 3]], ['cancelled', '#bc4c00', [10, 2]],
];

function stat(label, value, hint) {
  return h('div.stat', {}, h('span.value', {}, String(value)), h('span.label', {}, label), hint ? h('small.muted', {}, hint) : null);
}

function chart(box, series) {
  const perMinute = 60 / series.bucketSeconds;
  const present = STATES.filter(([s]) => series.states[s]);
  const data = [series.times, ...present.map(([s]) => series.states[s].map((n) => n * perMinute))];
  const width = Math.max(280, box.clientWidth - 8);
  const opts = {
    width, height: 240, title: undefined,
    scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(1, max)] } },
    axes: [{ stroke: 'currentColor', grid: { stroke: 'rgba(128,128,128,.25)' } },
      { stroke: 'currentColor', grid: { stroke: 'rgba(128,128,128,.25)' }, label: 'per minute' }],
    series: [{}, ...present.map(([s, color, dash]) => ({ label: s, stroke: color, width: 2, dash,
      value: (u, v) => (v === null ? '—' : v.toFixed(v < 10 ? 2 : 0)) }))],
  };
  box.replaceChildren();
  if (!present.length) {
    box.append(h('p.muted', {}, 'No deliveries in this period.'));
    return null;
  }
  return new uPlot(opts, data, box);
}

export default async function overview() {
  const range = h('fieldset.segmented', {}, h('legend', {}, 'Period'),
    ['hour', 'day', 'week'].map((r) => h('label', {}, h('input', { type: 'radio', name: 'range', value: r, checked: r === 'hour' }),
      h('span', {}, `Last ${r}`))));
  const chartBox = h('div.chart#chart', { role: 'img', 'aria-label': 'Deliveries per minute by outcome' });
  const summary = h('p.muted.small#chart-summary');
  const top = h('div#overview-top');
  mount(title('Overview'), top, h('section.card', { 'aria-labelledby': 'h-chart' }, h('h2#h-chart', {}, 'Deliveries per minute'),
    range, chartBox, summary));
  let plot = null;

  async function drawChart() {
    const r = range.querySelector('input:checked').value;
    const series = await get(`/deliveries/series?range=${r}`);
    plot?.destroy();
    plot = chart(chartBox, series);
    const totals = Object.entries(series.states).map(([s, a]) => `${s} ${a.reduce((x, y) => x + y, 0)}`);
    summary.textContent = totals.length ? `Totals over the last ${r}: ${totals.join(', ')}.` : '';
  }

  async function drawTop() {
    const o = await get('/overview');
    const q = o.queue;
    top.replaceChildren(
      h('section.alerts', { 'aria-label': 'Alerts' }, o.alerts.length
        ? o.alerts.map((a) => h(`div.alert.${a.severity}`, { role: 'alert' }, badge(a.kind, a.severity), ' ', a.message))
        : h('p.ok', {}, '✓ No alerts in the last hour.')),
      h('section.stats', { 'aria-label': 'Totals' },
        stat('devices', o.devices), stat('due now', q.due, 'queued, waiting for a sender'), stat('in flight', q.inFlight),
        stat('retrying', q.retrying, 'after a transient failure'), stat('scheduled', q.scheduled + q.scheduledNotifications,
          `${q.scheduledNotifications} notifications, ${q.scheduled} deliveries`)),
      h('div.grid2', {},
        h('section.card', {}, h('h2', {}, 'By push service'),
          table('Devices by push service', ['Push service', 'Devices'], o.byPushService.map((c) => [c.name, c.count]), 'No devices yet.')),
        h('section.card', {}, h('h2', {}, 'By browser'),
          table('Devices by browser family', ['Browser', 'Devices'], o.byBrowser.map((c) => [c.name, c.count]), 'No devices yet.'))));
  }

  range.addEventListener('change', drawChart);
  await Promise.all([drawTop(), drawChart()]);
  const timer = setInterval(() => { drawTop().catch(() => {}); drawChart().catch(() => {}); }, 15_000);
  const resize = () => plot?.setSize({ width: Math.max(280, chartBox.clientWidth - 8), height: 240 });
  window.addEventListener('resize', resize);
  return () => { clearInterval(timer); window.removeEventListener('resize', resize); plot?.destroy(); };
}
