/** Handlebars sources under components/ load as precompiled templates (src/tooling/hbs.mjs). */
declare module '*.hbs' {
  const template: (context?: object) => string;
  export default template;
}
