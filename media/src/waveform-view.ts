/**
 * The waveform viewer's webview: the signal tree (the design's streams grouped by engine,
 * then the file's scopes) with a name filter, the waves on a canvas (zoom with the wheel,
 * pan by dragging or shift+wheel, a cursor on click, markers m1/m2 with alt+click or the 1
 * and 2 keys and their Δt, a radix per signal, search by value), and the transactions of
 * the selected stream decoded per layer. It holds only what is on screen: rows and pages
 * of transactions are asked of the VCD worker through the extension host
 * (protocol/waveform.ts). Layout and arithmetic are waveform-model.ts's.
 */
import type {
  WaveMessage,
  WaveOverview,
  WaveRequest,
  WaveRow,
  WaveStream,
  WaveTransaction,
  WaveTreeNode,
} from '../../server/src/protocol/waveform.js';
import {
  centerOn,
  defaultRadix,
  deltaText,
  drawSegments,
  engineOfLayer,
  filterTree,
  fit,
  fitText,
  formatTime,
  formatValue,
  pan,
  parseValue,
  RADIXES,
  signalsUnder,
  streamOfSignal,
  ticks,
  timeToX,
  xToTime,
  zoom,
  type Radix,
  type Viewport,
} from './waveform-model.js';

interface VsCodeApi {
  postMessage(m: WaveRequest): void;
}
declare function acquireVsCodeApi(): VsCodeApi;
const vscode = acquireVsCodeApi();

function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  el.append(...children);
  return el;
}

const AXIS_H = 26;
const ROW_H = 22;
const NAME_W = 210;
const TX_ROW_H = 20;
const CHAR_PX = 7;

// ---- State --------------------------------------------------------------------------------
let ov: WaveOverview | null = null;
let view: Viewport = { t0: 0, t1: 1, width: 1 };
let shown: number[] = [];
const radix = new Map<number, Radix>();
let selected: number | null = null;
let cursor: number | null = null;
let m1: number | null = null;
let m2: number | null = null;
let rows = new Map<number, WaveRow>();
let cursorValues = new Map<number, string | null>();
let req = 0;
let rowsReq = 0;
let rowsAskedAt = 0;
let valuesReq = 0;
let txStream: WaveStream | null = null;
let txTotal = 0;
let txItems = new Map<number, WaveTransaction>();
const txPending = new Set<number>();
let txActive: number | null = null;
let pendingLayer: string | null = null;
let status = '';
const searches = new Map<number, (time: number | null) => void>();
const txAt = new Map<number, (index: number) => void>();

// ---- Elements -----------------------------------------------------------------------------
const root = document.getElementById('root')!;
const toolbar = h('div', { class: 'wf-toolbar' });
const filterInput = h('input', {
  type: 'search',
  placeholder: 'filter signals by name',
  class: 'wf-filter',
  'aria-label': 'filter signals by name',
});
const treeEl = h('div', { class: 'wf-tree', role: 'tree' });
const waveWrap = h('div', { class: 'wf-waves', tabindex: '0' });
const canvas = h('canvas', { class: 'wf-canvas', 'aria-label': 'waveforms' });
const txHead = h('div', { class: 'wf-tx-head' });
const txList = h('div', { class: 'wf-tx-list', role: 'listbox' });
const txSpacer = h('div', { class: 'wf-tx-spacer' });
const banner = h('div', { class: 'wf-banner', hidden: '' });
const statusEl = h('span', { class: 'wf-status' });
const timeEl = h('span', { class: 'wf-time' });
const radixSelect = h(
  'select',
  { class: 'wf-radix', 'aria-label': 'radix of the selected signal' },
  ...RADIXES.map((r) => h('option', { value: r }, r)),
);
const valueInput = h('input', {
  type: 'text',
  placeholder: 'find value in selected',
  class: 'wf-find',
  'aria-label': 'find a value of the selected signal',
});
txList.append(txSpacer);

function button(label: string, title: string, onClick: () => void): HTMLButtonElement {
  const b = h('button', { title, type: 'button' }, label);
  b.addEventListener('click', onClick);
  return b;
}

function layout(): void {
  root.replaceChildren(
    toolbar,
    banner,
    h(
      'div',
      { class: 'wf-main' },
      h('div', { class: 'wf-side' }, filterInput, treeEl),
      waveWrap,
      h('div', { class: 'wf-tx' }, txHead, txList),
    ),
  );
  waveWrap.append(canvas);
  toolbar.replaceChildren(
    button('Fit', 'show the whole file (F)', () => setView(fit(ov!.start, ov!.end, view.width))),
    button('+', 'zoom in (+)', () => setView(zoom(view, 0.5, cursorX() ?? view.width / 2, ov!.start, ov!.end))),
    button('−', 'zoom out (−)', () => setView(zoom(view, 2, cursorX() ?? view.width / 2, ov!.start, ov!.end))),
    radixSelect,
    valueInput,
    button('◀', 'previous change to the value (shift+Enter)', () => find(-1)),
    button('▶', 'next change to the value (Enter)', () => find(1)),
    timeEl,
    statusEl,
  );
}

// ---- Requests -----------------------------------------------------------------------------
function fetchRows(): void {
  if (!ov || !shown.length) return draw();
  rowsReq = ++req;
  rowsAskedAt = performance.now();
  vscode.postMessage({
    type: 'rows',
    req: rowsReq,
    t0: view.t0,
    t1: view.t1,
    px: view.width,
    ids: [...shown, ...(ov.clock !== null ? [ov.clock] : [])],
  });
}

function fetchValues(): void {
  if (!ov || cursor === null || !shown.length) return;
  valuesReq = ++req;
  vscode.postMessage({ type: 'values', req: valuesReq, t: cursor, ids: shown });
}

function fetchTx(from: number, count: number): void {
  if (!txStream) return;
  const page = Math.floor(from / 200) * 200;
  if (txPending.has(page)) return;
  txPending.add(page);
  vscode.postMessage({ type: 'transactions', req: ++req, stream: txStream.signal, from: page, count: Math.max(200, count) });
}

// ---- View changes -------------------------------------------------------------------------
let fetchTimer: ReturnType<typeof setTimeout> | undefined;
function setView(v: Viewport): void {
  view = v;
  draw();
  // Ask for the rows of the new range once the wheel or drag pauses (the old rows are drawn meanwhile).
  if (fetchTimer) clearTimeout(fetchTimer);
  fetchTimer = setTimeout(fetchRows, 30);
}

function setCursor(t: number | null): void {
  cursor = t;
  cursorValues = new Map();
  fetchValues();
  draw();
  if (t !== null && txStream) {
    const id = ++req;
    txAt.set(id, (index) => {
      txActive = index;
      scrollTxTo(index);
    });
    vscode.postMessage({ type: 'transactionAt', req: id, stream: txStream.signal, t });
  }
}

function cursorX(): number | null {
  return cursor === null ? null : timeToX(view, cursor);
}

function show(ids: number[], select?: number): void {
  shown = [...new Set(ids)];
  if (select !== undefined) selected = select;
  if (selected !== null && !shown.includes(selected)) selected = shown[0] ?? null;
  resize();
  fetchRows();
  fetchValues();
  syncSelected();
}

function showStream(s: WaveStream | null): void {
  txStream = s;
  txItems = new Map();
  txPending.clear();
  txTotal = s?.transactions ?? 0;
  txActive = null;
  txHead.replaceChildren(
    s
      ? h(
          'span',
          {},
          h('strong', {}, s.label),
          ` ${s.signal}: ${s.tensor} ${JSON.stringify(s.shape)}, ${s.elems} × ${s.type} per word, ${s.transactions} transactions`,
        )
      : h('span', { class: 'note' }, 'Select a stream (in the tree, or one of its signals) for its transactions.'),
  );
  txList.scrollTop = 0;
  txSpacer.style.height = `${txTotal * TX_ROW_H}px`;
  renderTx();
  if (s && ov?.mismatch?.stream === s.signal && ov.mismatch.transaction !== null) txActive = ov.mismatch.transaction;
}

function syncSelected(): void {
  const id = selected;
  if (id === null || !ov) return;
  radixSelect.value = radix.get(id) ?? defaultRadix(ov.signals[id]!);
  const s = streamOfSignal(ov.streams, id);
  if (s && s !== txStream) showStream(s);
}

// ---- Tree ---------------------------------------------------------------------------------
function renderTree(): void {
  if (!ov) return;
  const o = ov;
  const nodes = filterTree(o.tree, o.signals, filterInput.value);
  const open = filterInput.value.trim() !== '';
  const node = (n: WaveTreeNode, depth: number): HTMLElement => {
    const d = h('details', { class: `wf-node wf-${n.kind}`, 'data-kind': n.kind });
    if (n.key) d.setAttribute('data-key', n.key);
    if (open || depth === 0 || n.kind === 'engine' || (n.kind === 'group' && depth < 2)) d.open = true;
    const add = h('button', { class: 'wf-add', title: 'show every signal under this', type: 'button' }, '+');
    add.addEventListener('click', (e) => {
      e.preventDefault();
      const ids = signalsUnder(n);
      show([...shown, ...ids.slice(0, 400)], ids[0]);
      if (n.kind === 'stream' || n.kind === 'engine') pickStreamOf(n);
    });
    const summary = h('summary', {}, h('span', { class: 'wf-label' }, n.label), add);
    summary.addEventListener('dblclick', (e) => {
      e.preventDefault();
      add.click();
    });
    d.append(summary);
    for (const c of n.children) d.append(node(c, depth + 1));
    for (const id of n.signals) {
      const s = o.signals[id]!;
      const row = h(
        'div',
        { class: 'wf-sig', 'data-id': String(id), role: 'treeitem', title: `${s.path} ${s.range} (${s.type}, ${s.changes} changes)` },
        `${s.name}${s.range ? ' ' + s.range : ''}`,
      );
      if (shown.includes(id)) row.classList.add('shown');
      row.addEventListener('click', () => {
        if (shown.includes(id)) {
          selected = id;
          syncSelected();
          draw();
        } else show([...shown, id], id);
        renderTree();
      });
      d.append(row);
    }
    return d;
  };
  treeEl.replaceChildren(...nodes.map((n) => node(n, 0)));
}

function pickStreamOf(n: WaveTreeNode): void {
  if (!ov) return;
  const streams = n.kind === 'stream' ? ov.streams.filter((s) => s.signal === n.key) : ov.streams.filter((s) => s.engine === n.key);
  // An engine: its output stream's transactions (its input's when it has no output here).
  const s = streams.find((x) => x.label.endsWith('.out')) ?? streams[0];
  if (s) showStream(s);
}

/** QNN: Show in Waveform on a layer: its engine's streams, its output's transactions. */
function selectLayer(layer: string): void {
  if (!ov) {
    pendingLayer = layer;
    return;
  }
  const e = engineOfLayer(ov.tree, layer);
  if (!e) {
    status = `no engine computes ${layer} in this waveform`;
    return draw();
  }
  show([...(ov.clock !== null ? [ov.clock] : []), ...signalsUnder(e)], signalsUnder(e)[0]);
  pickStreamOf(e);
  status = `${layer}: engine ${e.key}`;
  renderTree();
  const sel = treeEl.querySelector(`[data-key="${CSS.escape(e.key!)}"]`);
  sel?.scrollIntoView({ block: 'nearest' });
}

// ---- Transactions list --------------------------------------------------------------------
function renderTx(): void {
  const top = txList.scrollTop;
  const first = Math.max(0, Math.floor(top / TX_ROW_H) - 5);
  const last = Math.min(txTotal, Math.ceil((top + txList.clientHeight) / TX_ROW_H) + 5);
  txList.querySelectorAll('.wf-tx-row').forEach((el) => el.remove());
  let missing = -1;
  for (let i = first; i < last; i++) {
    const t = txItems.get(i);
    if (!t) {
      if (missing < 0) missing = i;
      continue;
    }
    const bad = ov?.mismatch?.stream === txStream?.signal && ov?.mismatch?.transaction === i;
    const row = h(
      'div',
      {
        class: `wf-tx-row${i === txActive ? ' active' : ''}${bad ? ' mismatch' : ''}`,
        role: 'option',
        'data-index': String(i),
        style: `top:${i * TX_ROW_H}px`,
        title: `${formatTime(t.time, ov!.timescale)}${t.last ? ', tlast' : ''}`,
      },
      h('span', { class: 'wf-tx-time' }, formatTime(t.time, ov!.timescale)),
      h('span', { class: 'wf-tx-text' }, t.text),
    );
    row.addEventListener('click', () => {
      txActive = i;
      view = centerOn(view, t.time, ov!.start, ov!.end);
      setCursor(t.time);
      fetchRows();
      renderTx();
    });
    txList.append(row);
  }
  if (missing >= 0) fetchTx(missing, last - missing);
}

function scrollTxTo(index: number): void {
  const y = index * TX_ROW_H;
  if (y < txList.scrollTop || y > txList.scrollTop + txList.clientHeight - TX_ROW_H) txList.scrollTop = y - txList.clientHeight / 2;
  renderTx();
}

// ---- Canvas -------------------------------------------------------------------------------
function css(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

function resize(): void {
  const dpr = window.devicePixelRatio || 1;
  const w = Math.max(200, waveWrap.clientWidth);
  const hgt = AXIS_H + Math.max(1, shown.length) * ROW_H + 8;
  canvas.style.width = `${w}px`;
  canvas.style.height = `${hgt}px`;
  canvas.width = Math.round(w * dpr);
  canvas.height = Math.round(hgt * dpr);
  const width = w - NAME_W;
  if (width !== view.width) view = { ...view, width };
}

function draw(): void {
  const started = performance.now();
  const ctx = canvas.getContext('2d');
  if (!ctx || !ov) return;
  const o = ov;
  const dpr = window.devicePixelRatio || 1;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  const W = canvas.width / dpr;
  const H = canvas.height / dpr;
  const fg = css('--vscode-editor-foreground', '#ccc');
  const dim = css('--vscode-descriptionForeground', '#888');
  const wave = css('--vscode-charts-green', '#4ec94e');
  const grid = css('--vscode-editorWidget-border', '#4448');
  const sel = css('--vscode-list-inactiveSelectionBackground', '#3338');
  ctx.clearRect(0, 0, W, H);
  ctx.font = '12px var(--vscode-editor-font-family, monospace)';
  ctx.textBaseline = 'middle';
  // Axis and grid.
  ctx.fillStyle = dim;
  ctx.strokeStyle = grid;
  ctx.lineWidth = 1;
  for (const tk of ticks(view, o.timescale)) {
    const x = NAME_W + tk.x;
    ctx.beginPath();
    ctx.moveTo(x + 0.5, AXIS_H - 6);
    ctx.lineTo(x + 0.5, H);
    ctx.stroke();
    ctx.fillText(tk.label, x + 3, AXIS_H / 2);
  }
  // Rows.
  shown.forEach((id, i) => {
    const s = o.signals[id]!;
    const y = AXIS_H + i * ROW_H;
    if (id === selected) {
      ctx.fillStyle = sel;
      ctx.fillRect(0, y, W, ROW_H);
    }
    const r = radix.get(id) ?? defaultRadix(s);
    const cv = cursorValues.get(id);
    ctx.fillStyle = fg;
    const value = cv === undefined || cv === null ? '' : ` = ${formatValue(cv, r, s.kind)}`;
    ctx.fillText(fitText(`${s.name}${value}`, NAME_W - 10, CHAR_PX), 6, y + ROW_H / 2);
    const row = rows.get(id);
    if (!row) return;
    ctx.save();
    ctx.beginPath();
    ctx.rect(NAME_W, y, W - NAME_W, ROW_H);
    ctx.clip();
    drawRow(ctx, row, s.width, s.kind, r, NAME_W, y + 3, ROW_H - 6, wave, fg);
    ctx.restore();
  });
  // Mismatch, markers, cursor.
  const vline = (t: number | null, color: string, label: string): void => {
    if (t === null || t < view.t0 || t > view.t1) return;
    const x = NAME_W + timeToX(view, t);
    ctx.strokeStyle = color;
    ctx.fillStyle = color;
    ctx.beginPath();
    ctx.moveTo(x + 0.5, AXIS_H - 4);
    ctx.lineTo(x + 0.5, H);
    ctx.stroke();
    if (label) ctx.fillText(label, x + 3, AXIS_H - 8);
  };
  vline(o.mismatch?.time ?? null, css('--vscode-charts-red', '#f14c4c'), 'mismatch');
  vline(m1, css('--vscode-charts-blue', '#3794ff'), 'm1');
  vline(m2, css('--vscode-charts-purple', '#b180d7'), 'm2');
  vline(cursor, css('--vscode-charts-yellow', '#cca700'), '');
  const parts = [`view ${formatTime(view.t0, o.timescale)} – ${formatTime(view.t1, o.timescale)}`];
  // The testbench's clock period is its own time unit, not the design's: cycles say more.
  if (cursor !== null)
    parts.push(`cursor ${formatTime(cursor, o.timescale)}${o.period ? ` (cycle ${Math.floor(cursor / o.period)})` : ''}`);
  if (m1 !== null) parts.push(`m1 ${formatTime(m1, o.timescale)}`);
  if (m2 !== null) parts.push(`m2 ${formatTime(m2, o.timescale)}`);
  if (m1 !== null && m2 !== null) parts.push(deltaText(m1, m2, o.timescale, o.period));
  timeEl.textContent = parts.join(' · ');
  const ms = performance.now() - started;
  // For tests and measurements: what was drawn and how long it took.
  canvas.dataset.drawMs = ms.toFixed(2);
  canvas.dataset.view = `${view.t0}:${view.t1}`;
  canvas.dataset.file = `${o.start}:${o.end}`;
  statusEl.textContent = `${status}${status ? ' · ' : ''}drawn in ${ms.toFixed(1)} ms`;
}

function drawRow(
  ctx: CanvasRenderingContext2D,
  row: WaveRow,
  width: number,
  kind: WaveOverview['signals'][number]['kind'],
  r: Radix,
  x0: number,
  y: number,
  hgt: number,
  color: string,
  text: string,
): void {
  const bad = css('--vscode-charts-red', '#f14c4c');
  const zc = css('--vscode-charts-orange', '#d18616');
  for (const seg of drawSegments(row, view, ov!.end)) {
    const a = x0 + seg.x0;
    const b = x0 + seg.x1;
    if (seg.value === null) {
      // Many changes in this stretch: a filled band.
      ctx.fillStyle = color;
      ctx.globalAlpha = 0.45;
      ctx.fillRect(a, y, Math.max(1, b - a), hgt);
      ctx.globalAlpha = 1;
      continue;
    }
    const unknown = /[xz]/.test(seg.value);
    ctx.strokeStyle = unknown ? (/^z+$/.test(seg.value) ? zc : bad) : color;
    ctx.beginPath();
    if (width === 1 && kind === 'bits') {
      const level = seg.value === '1' ? y : seg.value === '0' ? y + hgt : y + hgt / 2;
      ctx.moveTo(a, y + hgt);
      ctx.lineTo(a, y);
      ctx.moveTo(a, level);
      ctx.lineTo(b, level);
      ctx.stroke();
      continue;
    }
    // A bus: a box with slanted ends and the value inside when it fits.
    const e = Math.min(3, (b - a) / 2);
    ctx.moveTo(a, y + hgt / 2);
    ctx.lineTo(a + e, y);
    ctx.lineTo(b - e, y);
    ctx.lineTo(b, y + hgt / 2);
    ctx.lineTo(b - e, y + hgt);
    ctx.lineTo(a + e, y + hgt);
    ctx.closePath();
    ctx.stroke();
    const label = fitText(formatValue(seg.value, r, kind), b - a - 6, CHAR_PX);
    if (label) {
      ctx.fillStyle = text;
      ctx.fillText(label, a + 4, y + hgt / 2);
    }
  }
}

// ---- Interaction --------------------------------------------------------------------------
let drag: { x: number; view: Viewport; moved: boolean } | null = null;

canvas.addEventListener('wheel', (e) => {
  if (!ov) return;
  e.preventDefault();
  const x = e.offsetX - NAME_W;
  if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) setView(pan(view, e.deltaX || e.deltaY, ov.start, ov.end));
  else setView(zoom(view, Math.exp(e.deltaY * 0.002), Math.max(0, x), ov.start, ov.end));
});

canvas.addEventListener('mousedown', (e) => {
  if (e.offsetX > NAME_W) drag = { x: e.clientX, view, moved: false };
});
window.addEventListener('mousemove', (e) => {
  if (!drag || !ov) return;
  const dx = drag.x - e.clientX;
  if (Math.abs(dx) > 3) drag.moved = true;
  if (drag.moved) setView(pan(drag.view, dx, ov.start, ov.end));
});
window.addEventListener('mouseup', () => {
  setTimeout(() => (drag = null));
});

canvas.addEventListener('click', (e) => {
  if (!ov || drag?.moved) return;
  waveWrap.focus();
  const i = Math.floor((e.offsetY - AXIS_H) / ROW_H);
  if (e.offsetX < NAME_W) {
    if (i >= 0 && i < shown.length) {
      selected = shown[i]!;
      syncSelected();
      draw();
    }
    return;
  }
  const t = Math.round(xToTime(view, e.offsetX - NAME_W));
  if (e.altKey && e.shiftKey) m2 = t;
  else if (e.altKey) m1 = t;
  else {
    if (i >= 0 && i < shown.length) {
      selected = shown[i]!;
      syncSelected();
    }
    return setCursor(t);
  }
  draw();
});

waveWrap.addEventListener('keydown', (e) => {
  if (!ov) return;
  const at = cursorX() ?? view.width / 2;
  const k = e.key;
  if (k === '1' || k === '2') {
    if (cursor === null) return;
    if (k === '1') m1 = cursor;
    else m2 = cursor;
    draw();
  } else if (k === 'f' || k === 'F') setView(fit(ov.start, ov.end, view.width));
  else if (k === '+' || k === '=') setView(zoom(view, 0.5, at, ov.start, ov.end));
  else if (k === '-') setView(zoom(view, 2, at, ov.start, ov.end));
  else if ((k === 'h' || k === 'd' || k === 's' || k === 'b') && selected !== null) {
    radix.set(selected, ({ h: 'hex', d: 'dec', s: 'signed', b: 'bin' } as const)[k]);
    syncSelected();
    draw();
  } else if ((k === 'ArrowDown' || k === 'ArrowUp') && shown.length) {
    const i = selected === null ? -1 : shown.indexOf(selected);
    selected = shown[Math.max(0, Math.min(shown.length - 1, i + (k === 'ArrowDown' ? 1 : -1)))]!;
    syncSelected();
    draw();
  } else if (k === 'Delete' && selected !== null) show(shown.filter((x) => x !== selected));
  else if (k === 'ArrowRight' || k === 'ArrowLeft') setView(pan(view, (k === 'ArrowRight' ? 0.25 : -0.25) * view.width, ov.start, ov.end));
  else return;
  e.preventDefault();
});

radixSelect.addEventListener('change', () => {
  if (selected === null) return;
  radix.set(selected, radixSelect.value as Radix);
  draw();
});

function find(dir: 1 | -1): void {
  if (!ov || selected === null) {
    status = 'select a signal to search its values';
    return draw();
  }
  const s = ov.signals[selected]!;
  const parsed = parseValue(valueInput.value, radix.get(selected) ?? defaultRadix(s), s.width);
  if ('error' in parsed) {
    status = parsed.error;
    return draw();
  }
  const id = ++req;
  searches.set(id, (time) => {
    if (time === null) status = `${s.name}: no ${dir > 0 ? 'later' : 'earlier'} change to ${valueInput.value}`;
    else {
      status = `${s.name} = ${valueInput.value} at ${formatTime(time, ov!.timescale)}`;
      if (time < view.t0 || time > view.t1) view = centerOn(view, time, ov!.start, ov!.end);
      fetchRows();
      setCursor(time);
    }
    draw();
  });
  vscode.postMessage({
    type: 'search',
    req: id,
    id: selected,
    bits: parsed.bits,
    from: cursor ?? (dir > 0 ? ov.start - 1 : ov.end + 1),
    dir,
  });
}
valueInput.addEventListener('keydown', (e) => {
  if (e.key === 'Enter') find(e.shiftKey ? -1 : 1);
});
filterInput.addEventListener('input', () => renderTree());
txList.addEventListener('scroll', () => renderTx());
new ResizeObserver(() => {
  resize();
  draw();
  if (fetchTimer) clearTimeout(fetchTimer);
  fetchTimer = setTimeout(fetchRows, 60);
}).observe(waveWrap);

// ---- Messages -----------------------------------------------------------------------------
function start(o: WaveOverview): void {
  ov = o;
  layout();
  resize();
  view = fit(o.start, o.end, view.width);
  if (o.mismatch) {
    banner.removeAttribute('hidden');
    const go = button('Go to it', 'move the cursor to the mismatching handshake', () => {
      if (o.mismatch?.time == null) return;
      // The output stream's list first, so that the cursor's transaction is looked up there.
      showStream(o.streams.find((s) => s.signal === o.mismatch!.stream) ?? null);
      view = centerOn(view, o.mismatch.time, o.start, o.end);
      setCursor(o.mismatch.time);
      fetchRows();
    });
    banner.replaceChildren(
      h('strong', {}, 'First mismatch: '),
      o.mismatch.text,
      o.mismatch.time === null ? ` (not in this waveform: ${o.mismatch.reason})` : ` at ${formatTime(o.mismatch.time, o.timescale)} `,
      ...(o.mismatch.time === null ? [] : [go]),
    );
  }
  if (o.streamsNote) status = o.streamsNote;
  else if (o.network) status = `${o.network}: ${o.streams.length} streams`;
  // First view: the clock and every stream's valid, ready and data; or, for another design, its first signals.
  const initial = o.streams.length
    ? [...(o.clock !== null ? [o.clock] : []), ...o.streams.flatMap((s) => [s.tvalid, s.tready, s.tdata])]
    : o.signals
        .filter((s) => s.changes > 0)
        .slice(0, 24)
        .map((s) => s.id);
  renderTree();
  show(initial, initial[0]);
  const out =
    o.streams.find((s) => s.signal === o.mismatch?.stream) ?? o.streams.find((s) => s.signal === 'm_axis') ?? o.streams[0] ?? null;
  showStream(out);
  if (pendingLayer) selectLayer(pendingLayer);
  pendingLayer = null;
}

window.addEventListener('message', (ev: MessageEvent<WaveMessage>) => {
  const m = ev.data;
  switch (m.type) {
    case 'progress':
      root.replaceChildren(
        h(
          'p',
          { class: 'empty' },
          `Reading the waveform: ${Math.round((100 * m.read) / Math.max(1, m.size))} % of ${(m.size / 1e6).toFixed(1)} MB…`,
        ),
      );
      return;
    case 'error':
      if (!ov) root.replaceChildren(h('p', { class: 'wf-error' }, m.message));
      else {
        status = m.message;
        draw();
      }
      return;
    case 'overview':
      return start(m.overview);
    case 'select':
      return selectLayer(m.layer);
    case 'rows': {
      if (m.req !== rowsReq) return;
      rows = new Map(m.rows.map((r) => [r.id, r]));
      canvas.dataset.rowsMs = (performance.now() - rowsAskedAt).toFixed(1);
      canvas.dataset.rowsFor = `${m.t0}:${m.t1}`;
      draw();
      return;
    }
    case 'values':
      if (m.req !== valuesReq) return;
      cursorValues = new Map(shown.map((id, i) => [id, m.values[i] ?? null]));
      draw();
      return;
    case 'transactions':
      if (m.stream !== txStream?.signal) return;
      txTotal = m.total;
      txSpacer.style.height = `${txTotal * TX_ROW_H}px`;
      m.items.forEach((t) => txItems.set(t.index, t));
      renderTx();
      return;
    case 'transactionAt':
      txAt.get(m.req)?.(m.index);
      txAt.delete(m.req);
      return;
    case 'search':
      searches.get(m.req)?.(m.time);
      searches.delete(m.req);
      return;
  }
});

vscode.postMessage({ type: 'ready' });
