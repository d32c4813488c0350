/**
 * Dependency rules of ARCHITECTURE.md §2/§6 and STYLE.md §1-2, checked by `npm run boundaries`
 * (part of `npm test`): apps → modules → packages, a module reaches another only through its
 * `src/contract/`, and no import cycles anywhere.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'Import cycles make start-up order and reasoning fragile; break the cycle.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'packages-stay-below-modules',
      severity: 'error',
      comment:
        'packages/ holds building blocks with no business rules: it may not import a module or an app.',
      from: { path: '^packages/' },
      to: { path: '^(modules|apps)/' },
    },
    {
      name: 'modules-stay-below-apps',
      severity: 'error',
      comment: 'A module never imports an app; apps wire modules, not the other way round.',
      from: { path: '^modules/' },
      to: { path: '^apps/' },
    },
    {
      name: 'module-internals-are-private',
      severity: 'error',
      comment:
        "Another module may import only a module's src/contract/; apps may also use its factory src/index.ts.",
      from: { path: '^modules/([^/]+)/', pathNot: '^modules/[^/]+/test/' },
      to: {
        path: '^modules/([^/]+)/',
        pathNot: ['^modules/$1/', '^modules/[^/]+/src/contract/'],
      },
    },
    {
      name: 'module-tests-compose-through-doors',
      severity: 'error',
      comment:
        "A module's end-to-end tests may build other modules as an app does (factory src/index.ts or contract), never reach their internals.",
      from: { path: '^modules/([^/]+)/test/' },
      to: {
        path: '^modules/([^/]+)/',
        pathNot: ['^modules/$1/', '^modules/[^/]+/src/index\\.ts$', '^modules/[^/]+/src/contract/'],
      },
    },
    {
      name: 'apps-use-module-doors-only',
      severity: 'error',
      comment: "An app imports a module's factory (src/index.ts) or its contract, never its internals.",
      from: { path: '^apps/' },
      to: {
        path: '^modules/[^/]+/',
        pathNot: ['^modules/[^/]+/src/index\\.ts$', '^modules/[^/]+/src/contract/'],
      },
    },
    {
      name: 'contract-imports-no-internals',
      severity: 'error',
      comment: "A module's contract/ is its public face: it imports nothing from the module's internals.",
      from: { path: '^modules/([^/]+)/src/contract/' },
      to: { path: '^modules/$1/', pathNot: '^modules/$1/src/contract/' },
    },
    {
      name: 'no-unresolvable',
      severity: 'error',
      comment: 'An import that does not resolve is a typo or a missing dependency.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|data|\\.tmp|tools/fixtures)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'],
    },
  },
};
