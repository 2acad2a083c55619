/** Dependency injection for the qnn language: Langium's defaults plus our services. */
import {
  inject,
  type DeepPartial,
  type LangiumCoreServices,
  type LangiumSharedCoreServices,
  type Module,
  type PartialLangiumCoreServices,
  EmptyFileSystem,
  createDefaultCoreModule,
  createDefaultSharedCoreModule,
  type FileSystemProvider,
} from 'langium';
import { QnnGeneratedModule, QnnGeneratedSharedModule } from './generated/module.js';
import { QnnDocumentValidator } from './qnn-validator.js';
import { QnnScopeComputation, QnnScopeProvider } from './qnn-scope.js';
import { QnnLinker, QnnReferenceDescriptionProvider } from './qnn-references.js';
import { AnalysisCache } from '../analysis/analysis-cache.js';

export interface QnnAddedServices {
  analysis: { AnalysisCache: AnalysisCache };
}

export type QnnCoreServices = LangiumCoreServices & QnnAddedServices;

export const QnnCoreModule: Module<QnnCoreServices, PartialLangiumCoreServices & QnnAddedServices> = {
  validation: {
    DocumentValidator: (services) => new QnnDocumentValidator(services),
  },
  references: {
    ScopeComputation: (services) => new QnnScopeComputation(services),
    ScopeProvider: (services) => new QnnScopeProvider(services),
    Linker: (services) => new QnnLinker(services),
  },
  workspace: {
    ReferenceDescriptionProvider: (services) => new QnnReferenceDescriptionProvider(services),
  },
  analysis: {
    AnalysisCache: () => new AnalysisCache(),
  },
};

/** Core services without LSP (CLI, tests, benchmarks). */
export function createQnnCoreServices(
  fileSystem: { fileSystemProvider: (s: LangiumSharedCoreServices) => FileSystemProvider } = EmptyFileSystem,
): {
  shared: LangiumSharedCoreServices;
  qnn: QnnCoreServices;
} {
  const shared = inject(createDefaultSharedCoreModule(fileSystem), QnnGeneratedSharedModule);
  const qnn = inject(
    createDefaultCoreModule({ shared }),
    QnnGeneratedModule,
    QnnCoreModule as DeepPartial<QnnCoreServices> as Module<QnnCoreServices, QnnAddedServices>,
  );
  shared.ServiceRegistry.register(qnn);
  return { shared, qnn };
}
