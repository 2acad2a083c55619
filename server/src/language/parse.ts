/** Parsing a .qnn text or file into a validated Langium document, outside the language server. */
import { URI, type LangiumDocument } from 'langium';
import { NodeFileSystem } from 'langium/node';
import * as path from 'node:path';
import { readFileSync } from 'node:fs';
import { createQnnCoreServices, type QnnCoreServices } from './qnn-module.js';
import type { Network } from './generated/ast.js';
import type { LangiumSharedCoreServices } from 'langium';

let services: { shared: LangiumSharedCoreServices; qnn: QnnCoreServices } | undefined;

export function coreServices(): { shared: LangiumSharedCoreServices; qnn: QnnCoreServices } {
  services ??= createQnnCoreServices(NodeFileSystem);
  return services;
}

let counter = 0;

/** Parses and validates `text` as if it were the file at `file` (weights resolve next to it). */
export async function parseDocument(text: string, file?: string): Promise<LangiumDocument<Network>> {
  const { shared } = coreServices();
  const uri = file ? URI.file(path.resolve(file)) : URI.parse(`memory:///doc${++counter}.qnn`);
  const factory = shared.workspace.LangiumDocumentFactory;
  const existing = shared.workspace.LangiumDocuments.getDocument(uri);
  if (existing) shared.workspace.LangiumDocuments.deleteDocument(uri);
  const doc = factory.fromString<Network>(text, uri);
  shared.workspace.LangiumDocuments.addDocument(doc);
  await shared.workspace.DocumentBuilder.build([doc], { validation: true });
  return doc;
}

export async function parseFile(file: string): Promise<LangiumDocument<Network>> {
  return parseDocument(readFileSync(file, 'utf8'), file);
}
