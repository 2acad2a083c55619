// Smoke tests of the end-to-end harness against code-server with NO qnn extension:
//  1. a plain text file: open it with Quick Open, type, save, toggle the Problems panel;
//  2. the harness's language-feature helpers (Problems entries, hover, completion, quick fix,
//     token colours) against VS Code's built-in CSS language features, which stand in for the
//     qnn language server until the extension exists;
//  3. inlay hints and code lenses (built-in TypeScript features);
//  4. workspace trust: a folder opened untrusted is in Restricted Mode until trusted.
// extension.e2e.mjs will do the same checks for .qnn files: give that file the line
// `// @qnn-e2e needs-vsix` (run.mjs then packages the extension) and pass `vsix: vsixPath()`
// to withVSCode.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { SELECTORS, waitUntil, withVSCode } from './harness.mjs';

const TEST_TIMEOUT = 240_000; // code-server start + workbench load take 10–40 s on 2 cores

test('workbench: open, type, save, toggle Problems (plain text)', { timeout: TEST_TIMEOUT }, (t) =>
  withVSCode(t, { files: { 'hello.txt': 'Hello from the qnn-fpga e2e harness.\n' } }, async ({ wb, page, workspaceDir, loadMs }) => {
    t.diagnostic(`workbench loaded in ${loadMs} ms`);

    await wb.openFile('hello.txt');
    await wb.waitForEditorText('Hello from the qnn-fpga e2e harness.');

    await wb.focusEditor();
    await wb.press('Control+End');
    await wb.typeText('Typed by playwright: network peak_detector {}');
    await wb.waitForEditorText('Typed by playwright: network peak_detector {}');
    await wb.save();
    const onDisk = await waitUntil(() => fs.readFileSync(path.join(workspaceDir, 'hello.txt'), 'utf8').includes('Typed by playwright'), {
      what: 'hello.txt on disk to hold the typed text',
    });
    assert.ok(onDisk);

    const ran = await wb.runCommand('View: Toggle Problems');
    t.diagnostic(`ran "${ran}"`);
    await wb.waitFor(SELECTORS.problemsPanel, { what: 'the Problems panel after View: Toggle Problems' });
    assert.deepEqual(await wb.getProblems({ open: false }), [], 'a plain text file has no problems');

    const shot = await wb.screenshot('hello-problems');
    t.diagnostic(`screenshot: ${shot}`);

    // And the toggle closes it again.
    await wb.runCommand('View: Toggle Problems');
    await wb.waitFor(SELECTORS.problemsPanel, { state: 'hidden', what: 'the Problems panel to close' });
    assert.ok(await page.locator('.monaco-workbench').isVisible());
  }),
);

const CSS = `.box {
  colr: red;
  margin: 0;
}

.empty {
}
`;

test('harness helpers against a built-in language server (CSS)', { timeout: TEST_TIMEOUT }, (t) =>
  withVSCode(t, { files: { 'style.css': CSS } }, async ({ wb }) => {
    await wb.openFile('style.css');

    // Syntax colouring: a property name and its value get different colours (TextMate grammar).
    await wb.waitForColouring('margin: 0;');
    const prop = await wb.tokenStyle('margin');
    const value = await wb.tokenStyle('0', { lineText: 'margin' });
    t.diagnostic(`margin → ${prop.className} ${prop.color}; 0 → ${value.className} ${value.color}`);
    assert.notEqual(prop.color, value.color, 'property and value are coloured differently');
    assert.notEqual(prop.className, value.className);

    // Problems: the CSS server reports the unknown property and the empty ruleset, with codes.
    const problems = await wb.waitForProblems(
      (ps) => ps.some((p) => p.code === 'unknownProperties') && ps.some((p) => p.code === 'emptyRules'),
      {
        what: 'CSS warnings unknownProperties and emptyRules',
      },
    );
    t.diagnostic(`problems: ${JSON.stringify(problems.map(({ ariaLabel, ...p }) => p))}`);
    const unknown = problems.find((p) => p.code === 'unknownProperties');
    assert.equal(unknown.severity, 'warning');
    assert.equal(unknown.line, 2);
    assert.equal(unknown.column, 3);
    assert.match(unknown.message, /Unknown property: 'colr'/);
    assert.equal(unknown.source, 'css');
    await wb.screenshot('css-problems');

    // Hover over a property name shows its documentation (mouse), and the same with the keyboard.
    const hover = await wb.hover('margin', { charOffset: 2, until: /margin/i });
    t.diagnostic(`hover: ${hover.slice(0, 120).replace(/\n/g, ' | ')}`);
    assert.match(hover, /margin/i);
    await wb.screenshot('css-hover');
    await wb.closeHover();
    await wb.gotoLine(3, 4);
    assert.match(await wb.hoverAtCursor({ until: /margin area/ }), /Shorthand property/);
    await wb.closeHover();

    // Completion inside a rule offers property names.
    await wb.clickText('margin: 0;', { charOffset: 'margin: 0;'.length - 1 });
    await wb.press('End');
    await wb.typeText('\nbackgr');
    const labels = await wb.triggerCompletion({ until: (ls) => ls.includes('background-color') });
    t.diagnostic(`${labels.length} suggestions, first: ${labels.slice(0, 5).join(', ')}`);
    assert.ok(labels.includes('background'), 'background is suggested');
    await wb.screenshot('css-completion');
    await wb.acceptSuggestion('background-color');
    await wb.waitForEditorText('background-color');

    // Quick fix on the unknown property renames it.
    const offered = await wb.quickFix({ at: { text: 'colr', charOffset: 1 }, pick: "Rename to 'color'" });
    t.diagnostic(`quick fixes: ${offered.join(' / ')}`);
    // (the colour swatch before `red` is injected text: it shows in visibleText as a space)
    await wb.waitForEditorText(/\bcolor:\s+red;/);
    assert.doesNotMatch(await wb.visibleText(), /colr/);
    await wb.waitForProblems((ps) => !ps.some((p) => p.code === 'unknownProperties'), { what: 'the unknownProperties warning to go away' });
    await wb.screenshot('css-after-quickfix');
  }),
);

const TS = `function scale(value: number, factor: number): number {
  return value * factor;
}
export const y = scale(3, 4);
`;

test('inlay hints and code lenses (built-in TypeScript)', { timeout: TEST_TIMEOUT }, (t) =>
  withVSCode(
    t,
    {
      files: { 'scale.ts': TS },
      settings: { 'typescript.inlayHints.parameterNames.enabled': 'all', 'typescript.referencesCodeLens.enabled': true },
    },
    async ({ wb, server }) => {
      await wb.openFile('scale.ts');
      await server.waitForExtensionActivated('vscode.typescript-language-features');
      const hints = await wb.waitForInlayHints((hs) => hs.some((h) => h.text === 'factor:'));
      t.diagnostic(`inlay hints: ${JSON.stringify(hints)}`);
      assert.deepEqual(
        hints.map((h) => [h.line, h.text]),
        [
          [4, 'value:'],
          [4, 'factor:'],
        ],
      );
      // Injected text is part of the rendered line (inlay-hint padding is U+200A, a hair space).
      assert.match(await wb.visibleText(), /scale\(value:\s3, factor:\s4\)/);
      const lenses = await waitUntil(
        async () => {
          const ls = await wb.codeLenses();
          return ls.some((l) => /reference/.test(l.text)) && ls;
        },
        { timeout: 60_000, what: 'a references code lens' },
      );
      t.diagnostic(`code lenses: ${lenses.map((l) => l.text).join(' / ')}`);
      // The insertText path (no auto-closing) edits the document like a paste.
      await wb.gotoLine(5, 1);
      await wb.insertText('export const z = scale(y, 2);');
      await wb.waitForInlayHints((hs) => hs.filter((h) => h.text === 'factor:').length === 2);
      await wb.screenshot('ts-inlay-hints');
    },
  ),
);

test('workspace trust: an untrusted folder is in Restricted Mode until trusted', { timeout: TEST_TIMEOUT }, (t) =>
  withVSCode(t, { files: { 'a.txt': 'untrusted\n' }, trusted: 'prompt' }, async ({ wb }) => {
    await wb.trustDialog().waitFor();
    assert.equal(await wb.isRestricted(), true);
    await wb.screenshot('trust-dialog');
    await wb.trustWorkspace();
    assert.equal(await wb.isRestricted(), false);
  }),
);
