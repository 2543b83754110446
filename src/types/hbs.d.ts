/** Handlebars sources under components/ are bundled as text (esbuild and vitest load them as strings). */
declare module '*.hbs' {
  const source: string;
  export default source;
}
