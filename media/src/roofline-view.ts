/** The roofline webview: an SVG log–log chart of the roofs and points of roofline-model.ts; hover for figures, click to reveal a layer. */
import { bindingRoof, rooflineModel, si, type RooflineModel, type RooflinePoint } from './roofline-model.js';
import { h, onUpdate, rowsTable, s, vscode } from './webview-common.js';

const W = 760;
const H = 480;
const M = { left: 70, right: 20, top: 20, bottom: 50 };

function render(model: RooflineModel): void {
  const root = document.getElementById('root')!;
  root.replaceChildren();
  root.append(h('h2', {}, `Roofline: ${model.title}`));
  const [x0, x1] = model.x;
  const [y0, y1] = model.y;
  const px = (x: number): number =>
    M.left + ((Math.log10(x) - Math.log10(x0)) / (Math.log10(x1) - Math.log10(x0))) * (W - M.left - M.right);
  const py = (y: number): number =>
    H - M.bottom - ((Math.log10(y) - Math.log10(y0)) / (Math.log10(y1) - Math.log10(y0))) * (H - M.top - M.bottom);
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': 'roofline chart' });
  // Decade grid and axis labels.
  for (let d = Math.log10(x0); d <= Math.log10(x1) + 1e-9; d++) {
    const x = px(10 ** d);
    svg.append(s('line', { x1: x, x2: x, y1: M.top, y2: H - M.bottom, class: 'grid' }));
    svg.append(s('text', { x, y: H - M.bottom + 16, class: 'tick', 'text-anchor': 'middle' }, si(10 ** d)));
  }
  for (let d = Math.log10(y0); d <= Math.log10(y1) + 1e-9; d++) {
    const y = py(10 ** d);
    svg.append(s('line', { x1: M.left, x2: W - M.right, y1: y, y2: y, class: 'grid' }));
    svg.append(s('text', { x: M.left - 6, y: y + 4, class: 'tick', 'text-anchor': 'end' }, si(10 ** d)));
  }
  svg.append(s('text', { x: (W + M.left) / 2, y: H - 10, class: 'axis', 'text-anchor': 'middle' }, 'operational intensity (ops per byte)'));
  svg.append(
    s(
      'text',
      { x: 16, y: (H - M.bottom) / 2, class: 'axis', transform: `rotate(-90 16 ${(H - M.bottom) / 2})`, 'text-anchor': 'middle' },
      'ops per second',
    ),
  );
  // Roofs: bandwidth lines y = B·x, compute ceilings y = C.
  for (const r of model.roofs) {
    let a: [number, number];
    let b: [number, number];
    if (r.kind === 'bandwidth') {
      a = [x0, r.value * x0];
      b = [Math.min(x1, y1 / r.value), Math.min(y1, r.value * x1)];
    } else {
      a = [x0, r.value];
      b = [x1, r.value];
    }
    if (a[1] > y1 || b[1] < y0) continue;
    svg.append(
      s('line', { x1: px(a[0]), y1: py(Math.max(a[1], y0)), x2: px(b[0]), y2: py(b[1]), class: `roof roof-${r.id}`, 'data-roof': r.id }),
    );
    const lx = r.kind === 'bandwidth' ? px(a[0]) + 6 : W - M.right - 4;
    const ly = r.kind === 'bandwidth' ? py(Math.max(a[1], y0)) - 6 : py(r.value) - 4;
    svg.append(
      s('text', { x: lx, y: ly, class: `roof-label roof-${r.id}`, 'text-anchor': r.kind === 'bandwidth' ? 'start' : 'end' }, r.label),
    );
  }
  const tip = h('div', { class: 'tip', hidden: '' });
  const showTip = (p: RooflinePoint, ev: MouseEvent): void => {
    tip.replaceChildren(h('strong', {}, p.label), rowsTable(p.details));
    tip.removeAttribute('hidden');
    tip.style.left = `${ev.offsetX + 14}px`;
    tip.style.top = `${ev.offsetY + 14}px`;
  };
  for (const p of model.points) {
    if (!(p.intensity > 0 && p.opsPerSecond > 0)) continue;
    const cx = px(p.intensity);
    const cy = py(p.opsPerSecond);
    const shape =
      p.kind === 'design'
        ? s('rect', { x: cx - 6, y: cy - 6, width: 12, height: 12, class: 'pt pt-design' })
        : s('circle', { cx, cy, r: 5, class: `pt pt-${p.kind}` });
    shape.setAttribute('data-point', p.id);
    shape.setAttribute('tabindex', '0');
    shape.addEventListener('mousemove', (ev) => showTip(p, ev as MouseEvent));
    shape.addEventListener('mouseleave', () => tip.setAttribute('hidden', ''));
    if (p.layer) {
      const layer = p.layer;
      shape.addEventListener('click', () => vscode.postMessage({ type: 'reveal', layer }));
      svg.append(s('text', { x: cx + 7, y: cy - 7, class: 'pt-label' }, layer));
    }
    svg.append(shape);
  }
  const wrap = h('div', { class: 'chart-wrap' });
  wrap.append(svg, tip);
  root.append(wrap);
  root.append(
    h(
      'p',
      { class: 'legend' },
      '■ the design as built · ● a layer in the pipeline (weights on chip) · ○ the same layer run layer by layer (weights and activations through DRAM). Click a layer to reveal it.',
    ),
  );
  const design = model.points.find((p) => p.kind === 'design');
  if (design) {
    const b = bindingRoof(model.roofs, design.intensity);
    root.append(
      h('p', {}, `The design is ${b?.kind === 'bandwidth' ? 'bandwidth' : 'compute'}-bound at its intensity: ${b?.label ?? '–'}.`),
    );
  }
  for (const note of model.notes) root.append(h('p', { class: 'note' }, note));
}

onUpdate((m) => {
  if (m.type === 'empty') {
    document.getElementById('root')!.replaceChildren(h('p', { class: 'empty' }, m.message));
    return;
  }
  render(rooflineModel(m.estimate));
});
