/**
 * Job shell from Handlebars templates (components/<name>/script.sh.hbs) with the shared
 * partials in components/_shared. Templates are precompiled into the bundle, so rendering
 * does no I/O.
 */
import Handlebars from 'handlebars/runtime.js';
import auth from '../../components/_shared/auth.sh.hbs';
import cache from '../../components/_shared/cache.sh.hbs';
import inputs from '../../components/_shared/inputs.sh.hbs';
import labels from '../../components/_shared/labels.sh.hbs';
import prelude from '../../components/_shared/prelude.sh.hbs';
import report from '../../components/_shared/report.sh.hbs';

for (const [name, partial] of Object.entries({ prelude, inputs, cache, auth, labels, report })) {
  Handlebars.registerPartial(name, partial);
}

export type Template = (context?: object) => string;

export function renderScript(template: Template, context: Record<string, unknown> = {}): string {
  const text = template(context);
  if (text.includes('$[[')) throw new Error('a job script must not contain "$[[": GitLab would interpolate it');
  return text.replace(/[ \t]+$/gm, '').replace(/\n{3,}/g, '\n\n').replace(/\n*$/, '\n');
}
