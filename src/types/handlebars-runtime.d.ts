/** The Handlebars runtime (no compiler): what precompiled templates need. */
declare module 'handlebars/runtime.js' {
  import type Handlebars from 'handlebars';
  const runtime: Pick<typeof Handlebars, 'registerHelper' | 'registerPartial' | 'template'>;
  export default runtime;
}
