/** hbs.mjs is plain JavaScript (the bundler loads it as is); this is its type for vitest.config.ts. */
export function handlebarsModule(source: string): string;
