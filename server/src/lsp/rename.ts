/**
 * Rename of a layer, the input, a const or the network: the declaration and every
 * reference (Layer.input, Output.ref, NameRef.ref) through Langium's index. A new name
 * must be an identifier that is not a keyword and not already declared in the network.
 */
import { AstUtils, CstUtils, GrammarAST, type LangiumDocument } from 'langium';
import { QnnGrammar } from '../language/generated/grammar.js';
import { DefaultRenameProvider } from 'langium/lsp';
import { ResponseError, type Range, type RenameParams, type TextDocumentPositionParams, type WorkspaceEdit } from 'vscode-languageserver';
import { isConst, isInput, isLayer, isNetwork, type Network } from '../language/generated/ast.js';
import { BUILTIN_VALUE_NAMES } from '../model/operators.js';

const ID = /^[_a-zA-Z]\w*$/;

/** Reserved words: every keyword of the grammar that reads as an identifier (an ID cannot be one). */
export const KEYWORDS: ReadonlySet<string> = new Set(
  AstUtils.streamAllContents(QnnGrammar())
    .filter(GrammarAST.isKeyword)
    .map((k) => k.value)
    .filter((v) => ID.test(v)),
);

export class QnnRenameProvider extends DefaultRenameProvider {
  override async rename(document: LangiumDocument, params: RenameParams): Promise<WorkspaceEdit | undefined> {
    const target = this.renameTarget(document, params);
    if (!target) return undefined;
    const newName = params.newName;
    if (!ID.test(newName) || KEYWORDS.has(newName)) {
      throw new ResponseError(
        -32602,
        `'${newName}' is not a valid name: use letters, digits and _, not starting with a digit, and not a keyword`,
      );
    }
    if (/^[ui][0-9]+$/.test(newName) || BUILTIN_VALUE_NAMES.has(newName)) {
      throw new ResponseError(-32602, `'${newName}' would read as a type or a built-in value: choose another name`);
    }
    const root = document.parseResult.value as Network;
    const clash = root.members.find((m) => 'name' in m && m.$type !== 'Test' && m.name === newName && m !== target);
    if (clash && !isNetwork(target)) {
      const line = (clash.$cstNode?.range.start.line ?? 0) + 1;
      throw new ResponseError(-32602, `'${newName}' is already declared on line ${line}`);
    }
    return super.rename(document, params);
  }

  override async prepareRename(document: LangiumDocument, params: TextDocumentPositionParams): Promise<Range | undefined> {
    return this.renameTarget(document, params) ? await super.prepareRename(document, params) : undefined;
  }

  /** The declaration to rename: a layer, the input, a const or the network; undefined otherwise. */
  private renameTarget(document: LangiumDocument, params: TextDocumentPositionParams) {
    const root = document.parseResult.value.$cstNode;
    if (!root) return undefined;
    const leaf = CstUtils.findDeclarationNodeAtOffset(root, document.textDocument.offsetAt(params.position), this.grammarConfig.nameRegexp);
    if (!leaf) return undefined;
    const decl = this.references.findDeclarations(leaf)[0] ?? (this.isNameNode(leaf) ? leaf.astNode : undefined);
    if (!decl || !(isLayer(decl) || isInput(decl) || isConst(decl) || isNetwork(decl))) return undefined;
    if (AstUtils.getDocument(decl).uri.toString() !== document.uri.toString()) return undefined;
    return decl;
  }
}
