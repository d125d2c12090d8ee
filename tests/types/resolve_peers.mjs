// A module-resolution hook (registered by surface.test.mjs): the client's
// peer dependency `react` (react.js) resolves from this folder's
// node_modules, as an app's would; client/ has none of its own.
export async function resolve(specifier, context, next) {
  if (specifier === 'react' || specifier.startsWith('react/')) {
    return next(specifier, { ...context, parentURL: import.meta.url });
  }
  return next(specifier, context);
}
