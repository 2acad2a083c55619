// @qnn-e2e needs-vsix
// The waveform viewer in real VS Code (code-server 4.100.3 + Chromium): QNN: Show in
// Waveform before any simulation says to simulate first; QNN: Simulate's "Open Waveform"
// opens the VCD in the custom editor, whose canvas is drawn, whose tree lists the peak
// detector's streams grouped by engine and whose transaction list shows decoded values;
// a full zoom-out is timed; QNN: Show in Waveform on layer c2 selects c2's streams, and a
// mismatch in sim/result.json is marked and reachable; a VCD written by Icarus (the shared
// fixture with CRLF line ends) opens too.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT, SELECTORS, vsixPath, waitUntil, withVSCode } from './harness.mjs';

const TEST_TIMEOUT = 480_000;
const EXAMPLE = path.join(REPO_ROOT, 'examples', 'peak_detector');
const FIXTURE = path.resolve(REPO_ROOT, '..', 'shared', 'fixtures', 'vcd', 'mc6809_icarus_dump.vcd');

/** The example's files (the .qnn and its weights), and the Icarus fixture when ../shared is there. */
function workspaceFiles() {
  const files = { 'peak_detector.qnn': fs.readFileSync(path.join(EXAMPLE, 'peak_detector.qnn')) };
  for (const f of fs.readdirSync(path.join(EXAMPLE, 'weights')))
    files[path.join('weights', f)] = fs.readFileSync(path.join(EXAMPLE, 'weights', f));
  if (fs.existsSync(FIXTURE)) files[path.join('waves', 'mc6809_icarus_dump.vcd')] = fs.readFileSync(FIXTURE);
  return files;
}

/** The first frame (webviews nest two iframes) whose document matches `selector`, or null. */
async function webviewFrame(page, selector) {
  for (const f of page.frames()) {
    try {
      if ((await f.locator(selector).count()) > 0) return f;
    } catch {
      // A frame that navigated away.
    }
  }
  return null;
}

/** The canvas: how many of its pixels are painted, and what the view says it drew. */
function canvasState(frame) {
  return frame.locator('canvas.wf-canvas').evaluate((c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let painted = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i]) painted++;
    return { painted, pixels: c.width * c.height, ...c.dataset };
  });
}

/** Waits until the rows of the whole file are in and drawn; the draw's time in ms. */
async function fullViewDrawn(frame) {
  const s = await waitUntil(
    async () => {
      const st = await canvasState(frame);
      return st.rowsFor === st.file && st.view === st.file ? st : null;
    },
    { what: 'the whole file drawn', timeout: 30_000 },
  );
  return s;
}

test(
  'the waveform viewer: Open Waveform after Simulate, streams by engine, transactions, Show in Waveform, a mismatch, an Icarus VCD',
  { timeout: TEST_TIMEOUT },
  (t) =>
    withVSCode(t, { files: workspaceFiles(), vsix: vsixPath() }, async ({ wb, workspaceDir }) => {
      await wb.openFile('peak_detector.qnn');
      await waitUntil(async () => (await wb.statusBarItems()).some((i) => /fps/i.test(i.text)), {
        what: 'the extension to be active',
        timeout: 60_000,
      });
      // Room for the waves: no side bar.
      await wb.runCommand('View: Close Primary Side Bar');

      // Before any simulation: say what to do.
      await wb.runCommand('QNN: Show in Waveform');
      const none = await waitUntil(async () => (await wb.notifications()).find((n) => /No waveform of peak_detector.qnn yet/.test(n)), {
        what: 'the no-waveform message',
      });
      assert.match(none, /run QNN: Simulate first/);
      await wb.clearNotifications();

      // Simulate, then the summary's Open Waveform.
      await wb.runCommand('QNN: Simulate');
      const toast = wb.page.locator(SELECTORS.notificationToast).filter({ hasText: /Simulation passed/ });
      await toast.first().waitFor({ state: 'visible', timeout: 360_000 });
      await toast.first().locator('.monaco-button', { hasText: 'Open Waveform' }).click();
      const frame = await waitUntil(() => webviewFrame(wb.page, '[data-kind="engine"][data-key="c2"]'), {
        what: 'the waveform viewer with the engines of the peak detector',
        timeout: 60_000,
      });
      const streams = await frame.locator('[data-kind="stream"]').evaluateAll((ns) => ns.map((n) => n.getAttribute('data-key')));
      t.diagnostic(`streams in the tree: ${streams.join(', ')}`);
      for (const s of ['s_axis', 'c1_out', 'fifo_c1_c2_out', 'c2_out', 'p1_out', 'm_axis'])
        assert.ok(streams.includes(s), `${s} is listed`);
      const engines = await frame.locator('[data-kind="engine"]').evaluateAll((ns) => ns.map((n) => n.getAttribute('data-key')));
      assert.deepEqual(engines, ['c1', 'c2', 'p1', 'c3']);
      // The transactions of the output stream, decoded (t3 is u1: 0 or 1).
      const firstTx = await waitUntil(async () => (await frame.locator('.wf-tx-row .wf-tx-text').allTextContents())[0], {
        what: 'the transaction list',
      });
      assert.match(firstTx, /^c3\.out\[pixel 0, ch 0\] = [01]$/);
      assert.match(await frame.locator('.wf-tx-head').textContent(), /c3\.out m_axis: t3 \[512,1\], 1 × u1 per word, 512 transactions/);
      const drawn = await fullViewDrawn(frame);
      t.diagnostic(`first draw: ${drawn.painted} of ${drawn.pixels} pixels painted, ${drawn.drawMs} ms; rows in ${drawn.rowsMs} ms`);
      assert.ok(drawn.painted > drawn.pixels * 0.01, 'the waves are drawn');
      await wb.screenshot('waveform-opened');

      // Zoom in, then back out to the whole file, three times: the redraw of a full zoom-out.
      const box = await frame.locator('canvas.wf-canvas').boundingBox();
      await frame.locator('canvas.wf-canvas').click({ position: { x: box.width * 0.75, y: 40 } });
      const times = [];
      for (let i = 0; i < 3; i++) {
        for (let k = 0; k < 4; k++) await wb.press('+');
        // The zoomed rows in (so that the next rows are the zoom-out's own).
        await waitUntil(
          async () => {
            const st = await canvasState(frame);
            return st.view !== drawn.file && st.rowsFor === st.view;
          },
          { what: 'the zoomed-in rows' },
        );
        await wb.press('f');
        const s = await fullViewDrawn(frame);
        times.push([Number(s.drawMs), Number(s.rowsMs)]);
      }
      t.diagnostic(
        `full zoom-out: draw ${times.map((x) => x[0]).join(', ')} ms; rows from the worker ${times.map((x) => x[1]).join(', ')} ms`,
      );
      // The click put the cursor: the toolbar shows it, and the transaction list follows it.
      assert.match(await frame.locator('.wf-time').textContent(), /cursor \d/);

      // A mismatch in result.json (the design is correct, so one is written in here) is marked on its handshake.
      const resultFile = path.join(workspaceDir, 'build', 'peak_detector', 'sim', 'result.json');
      const result = JSON.parse(fs.readFileSync(resultFile, 'utf8'));
      result.mismatches = 1;
      result.first_mismatch = { layer: 't3', frame: 0, index: 12, channel: 0, position: [12], expected: 9, got: 0 };
      fs.writeFileSync(resultFile, JSON.stringify(result, null, 2));
      await wb.runCommand('View: Close Editor');

      // Show in Waveform on layer c2: c2's streams and its output's transactions.
      const lines = fs.readFileSync(path.join(EXAMPLE, 'peak_detector.qnn'), 'utf8').split('\n');
      await wb.gotoLine(lines.findIndex((l) => l.includes('layer c2 =')) + 1, 3);
      await wb.runCommand('QNN: Show in Waveform');
      const f2 = await waitUntil(() => webviewFrame(wb.page, '.wf-banner:not([hidden])'), {
        what: 'the viewer with the mismatch',
        timeout: 60_000,
      });
      assert.match(await f2.locator('.wf-banner').textContent(), /First mismatch: t3, frame 0, element 12 .*expected 9, got 0 at \d/);
      await waitUntil(async () => /c2: engine c2/.test((await f2.locator('.wf-status').textContent()) ?? ''), { what: 'c2 selected' });
      const c2Tx = await waitUntil(async () => (await f2.locator('.wf-tx-row .wf-tx-text').allTextContents())[0], {
        what: "c2's transactions",
      });
      assert.match(c2Tx, /^c2\.out\[pixel 0, ch 0\.\.3\] = \d+, \d+, \d+, \d+$/);
      // Value search on the clock (row 0, selected by a click on its name), markers on two rising edges: Δ one cycle.
      const canvas = f2.locator('canvas.wf-canvas');
      const clickName = () => canvas.click({ position: { x: 40, y: 26 + 11 } });
      await clickName();
      await f2.locator('.wf-find').fill('1');
      await f2.locator('.wf-find').press('Enter');
      await waitUntil(async () => /cursor 5 ps \(cycle 0\)/.test(await f2.locator('.wf-time').textContent()), {
        what: 'the first rise of clk',
      });
      await clickName();
      await wb.press('1');
      await f2.locator('.wf-find').press('Enter');
      await waitUntil(async () => /cursor 15 ps/.test(await f2.locator('.wf-time').textContent()), { what: 'the next rise of clk' });
      await clickName();
      await wb.press('2');
      const marks = await waitUntil(
        async () => {
          const text = await f2.locator('.wf-time').textContent();
          return /Δ/.test(text) ? text : null;
        },
        { what: 'the markers' },
      );
      t.diagnostic(`markers: ${marks}`);
      assert.match(marks, /m1 5 ps · m2 15 ps · Δ = 10 ps \(1 cycles\)/);
      // Radix of the next row (c2.in's valid): d for decimal.
      await wb.press('ArrowDown');
      await wb.press('d');
      assert.equal(await f2.locator('.wf-radix').inputValue(), 'dec');
      await f2.locator('.wf-banner button', { hasText: 'Go to it' }).click();
      await waitUntil(() => f2.locator('.wf-tx-row.mismatch.active[data-index="12"]').count(), {
        what: 'the mismatching handshake selected',
      });
      await wb.screenshot('waveform-mismatch');
      await wb.runCommand('View: Close Editor');

      // A VCD another tool wrote: Icarus, CRLF line ends.
      if (!fs.existsSync(FIXTURE)) {
        t.diagnostic(`skipped the Icarus fixture: ${FIXTURE} is missing`);
        return;
      }
      await wb.page.keyboard.press('Control+P');
      await wb.waitFor(SELECTORS.quickInputBox);
      await wb.page.locator(SELECTORS.quickInputBox).fill('mc6809_icarus_dump.vcd');
      await waitUntil(async () => (await wb.quickInputItems()).some((i) => i.label === 'mc6809_icarus_dump.vcd'), {
        what: 'Quick Open to list the fixture',
      });
      await wb.page.keyboard.press('Enter');
      const f3 = await waitUntil(() => webviewFrame(wb.page, '[data-kind="scope"][data-key="tb"]'), {
        what: 'the viewer on the Icarus VCD',
        timeout: 60_000,
      });
      const st = await fullViewDrawn(f3);
      t.diagnostic(`Icarus fixture: ${st.painted} of ${st.pixels} pixels painted, draw ${st.drawMs} ms`);
      assert.ok(st.painted > st.pixels * 0.01, 'the fixture is drawn');
      assert.match(await f3.locator('.wf-status').textContent(), /No report.json beside this waveform/);
      // Filter the tree by name: the cpu's clock.
      await f3.locator('.wf-filter').fill('cpu_clk');
      // (the cpu and its dec_regs each have one; nothing else is left)
      await waitUntil(async () => (await f3.locator('.wf-sig').allTextContents()).join(',') === 'cpu_clk,cpu_clk', {
        what: 'the filtered tree',
      });
      await wb.screenshot('waveform-icarus');
    }),
);
