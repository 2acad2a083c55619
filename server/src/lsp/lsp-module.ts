/** Editor features of the language server (language.md §6–7), registered with Langium. */
import type { Module } from 'langium';
import type { PartialLangiumServices } from 'langium/lsp';
import type { QnnServices } from '../language/qnn-lsp-module.js';

export const QnnLspModule: Module<QnnServices, PartialLangiumServices> = {
  lsp: {},
};
