/** The language server's services: the core module plus the editor features (lsp/). */
import { inject, type Module } from 'langium';
import {
  createDefaultModule,
  createDefaultSharedModule,
  type DefaultSharedModuleContext,
  type LangiumServices,
  type LangiumSharedServices,
  type PartialLangiumServices,
} from 'langium/lsp';
import { QnnGeneratedModule, QnnGeneratedSharedModule } from './generated/module.js';
import { QnnCoreModule, type QnnAddedServices } from './qnn-module.js';
import { QnnLspModule } from '../lsp/lsp-module.js';

export type QnnServices = LangiumServices & QnnAddedServices;

export function createQnnServices(context: DefaultSharedModuleContext): { shared: LangiumSharedServices; qnn: QnnServices } {
  const shared = inject(createDefaultSharedModule(context), QnnGeneratedSharedModule);
  const qnn = inject(
    createDefaultModule({ shared }),
    QnnGeneratedModule,
    QnnCoreModule as unknown as Module<QnnServices, QnnAddedServices>,
    QnnLspModule as Module<QnnServices, PartialLangiumServices>,
  );
  shared.ServiceRegistry.register(qnn);
  return { shared, qnn };
}
