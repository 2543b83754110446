// Handlebars sources (components/**/*.hbs) become JavaScript modules at build time: the template
// precompiled, run by the small Handlebars runtime. esbuild (bundle.mjs) and vitest
// (vitest.config.ts) both load .hbs files through this, so tests run what ships.
import Handlebars from 'handlebars';

export function handlebarsModule(source) {
  const spec = Handlebars.precompile(source, { noEscape: true, strict: true });
  return `import Handlebars from 'handlebars/runtime.js';\nexport default Handlebars.template(${spec});\n`;
}
