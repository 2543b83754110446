/**
 * Job shell from Handlebars templates (components/<name>/script.sh.hbs) with the shared
 * partials in components/_shared. Templates are bundled as text, so rendering does no I/O.
 */
import Handlebars from 'handlebars';
import auth from '../../components/_shared/auth.sh.hbs';
import inputs from '../../components/_shared/inputs.sh.hbs';
import labels from '../../components/_shared/labels.sh.hbs';
import prelude from '../../components/_shared/prelude.sh.hbs';
import report from '../../components/_shared/report.sh.hbs';

const shell = Handlebars.create();
for (const [name, source] of Object.entries({ prelude, inputs, auth, labels, report })) {
  shell.registerPartial(name, source);
}

const compiled = new Map<string, Handlebars.TemplateDelegate>();

export function renderScript(template: string, context: Record<string, unknown> = {}): string {
  let render = compiled.get(template);
  if (!render) {
    render = shell.compile(template, { noEscape: true, strict: true });
    compiled.set(template, render);
  }
  const text = render(context);
  if (text.includes('$[[')) throw new Error('a job script must not contain "$[[": GitLab would interpolate it');
  return text.replace(/[ \t]+$/gm, '').replace(/\n{3,}/g, '\n\n').replace(/\n*$/, '\n');
}
