// An esbuild plugin shared by the browser bundles (the SDK's and the demo's).
// zod's namespace export keeps all ~40 translations of its messages in the
// bundle (half its size); the protocol's messages are its own and in English,
// so only zod's English locale is kept.
export const englishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /\/locales\/index\.js$/ }, (args) => (args.importer.includes('/zod/') ? { path: args.importer, namespace: 'zod-locales' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(new URL('../locales/en.js', `file://${args.path}`).pathname)};`,
      loader: 'js',
      resolveDir: '/',
    }));
  },
};
