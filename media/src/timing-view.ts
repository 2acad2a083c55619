/** The timing webview: each engine's cycles per frame against the II (click: reveal the layer), FIFOs, measured and built figures. */
import { timingModel, type TimingModel } from './timing-model.js';
import { h, onUpdate, rowsTable, vscode } from './webview-common.js';

function render(model: TimingModel): void {
  const root = document.getElementById('root')!;
  root.replaceChildren(h('h2', {}, `Timing: ${model.title}`), rowsTable(model.summary, 'rows summary'));
  const bars = h('div', { class: 'bars' });
  for (const b of model.bars) {
    const bar = h('div', { class: `bar${b.bottleneck ? ' bottleneck' : ''}`, style: `width: ${(b.share * 100).toFixed(2)}%` });
    const row = h(
      'div',
      {
        class: 'bar-row',
        'data-engine': b.engine,
        tabindex: '0',
        title: `${b.engine}: ${b.cycles.toLocaleString('en-US')} cycles per frame${b.detail ? ` (${b.detail})` : ''}; ${b.fold}`,
      },
      h('span', { class: 'bar-name' }, b.engine),
      h('span', { class: 'bar-track' }, bar),
      h('span', { class: 'bar-value' }, `${b.cycles.toLocaleString('en-US')}${b.bottleneck ? ' ← bottleneck' : ''}`),
    );
    row.addEventListener('click', () => vscode.postMessage({ type: 'reveal', layer: b.layers[0] }));
    bars.append(row);
  }
  root.append(h('h3', {}, 'Cycles per frame of each engine (the bar is its share of the II)'), bars);
  if (model.fifos.length)
    root.append(
      h('h3', {}, 'FIFOs'),
      h(
        'table',
        { class: 'rows' },
        ...model.fifos.map((f) => h('tr', {}, h('th', {}, f.name), h('td', {}, `depth ${f.depth}`), h('td', {}, f.reason))),
      ),
    );
  root.append(h('h3', {}, 'Simulation'));
  root.append(
    model.measured
      ? rowsTable(model.measured)
      : h('p', { class: 'note' }, 'Not simulated yet: run QNN: Simulate to measure the II and latency.'),
  );
  root.append(h('h3', {}, 'Build'));
  root.append(
    model.build
      ? rowsTable(model.build)
      : h('p', { class: 'note' }, 'Not built yet: run QNN: Build Bitstream for Fmax, slack and resources used.'),
  );
  for (const note of model.notes) root.append(h('p', { class: 'note' }, note));
}

onUpdate((m) => {
  if (m.type === 'empty') {
    document.getElementById('root')!.replaceChildren(h('p', { class: 'empty' }, m.message));
    return;
  }
  render(timingModel(m.estimate, m.sim, m.build));
});
