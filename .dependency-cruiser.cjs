/*
 * The layers of src/ and who may import whom (`npm run check:layers`, part of `npm test`). Imports only point down:
 *   src/common   text, messages, counts, CSV, the concurrency pool: no knowledge of the API
 *   src/api      the OAuth usage resources over HTTP: transport, client, paging, retries, ids and URLs, errors
 *   src/usage    what an admin asks: resolution, inventory, selection, last-use rules, revoke plans and runs, the audit log, report figures
 *   src/ux       what a person sees: tables, CSV on stdout, output files, progress, signals, summaries, the report's HTML and Markdown
 *   src/command  the base command and the shared flags
 *   src/commands the commands (oclif loads them by path)
 *   src/hooks    oclif's hooks (the compile cache, turned on before a command of this plugin is imported)
 * The emulator and the scripts are parts of their own: nothing outside test/ imports from test/.
 */
const LAYERS = ['common', 'api', 'usage', 'ux', 'command', 'commands', 'hooks'];

const layerRules = LAYERS.slice(0, -1).map((layer, index) => ({
  name: `no-${layer}-importing-up`,
  comment: `src/${layer} imports only from layers below it (${LAYERS.slice(0, index).join(', ') || 'none'}).`,
  severity: 'error',
  from: { path: `^src/${layer}/` },
  to: { path: `^src/(${LAYERS.slice(index + 1).join('|')})/` },
}));

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'no-circular',
      comment: 'No import circle in the plugin: a reader follows imports down, never round.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'no-test-outside-test',
      comment: 'The plugin, the emulator and the scripts never import from test/.',
      severity: 'error',
      from: { pathNot: '^test/|/\.eslintrc\.cjs$' },
      to: { path: '^test/' },
    },
    {
      name: 'src-in-layers',
      comment: 'Every module of src/ lives in a layer (src/index.ts aside).',
      severity: 'error',
      from: { path: '^src/', pathNot: `^src/(${LAYERS.join('|')})/|^src/index\\.ts$` },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'test/tsconfig.json' },
    tsPreCompilationDeps: true,
  },
};
