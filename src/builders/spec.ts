/**
 * A component's job refers to its inputs through interpolation blocks; builders write those
 * references, GitLab replaces them. The dotenv report every build job leaves is part of the
 * contract too.
 */

export class InputRef {
  constructor(readonly name: string) {}
  /** The interpolation block GitLab replaces with this input's value. */
  get block(): string {
    return `$[[ inputs.${this.name} ]]`;
  }
}

export const inputRef = (name: string): InputRef => new InputRef(name);

/** The dotenv report every build job leaves (artifacts:reports:dotenv). Its keys differ from
 *  the CIGEN_* input variables: dotenv variables outrank job variables in a later job. */
export const REPORT_FILE = 'cigen-build.env';
export const REPORT_KEYS = ['CIGEN_BUILT_IMAGE', 'CIGEN_BUILT_TAGS', 'CIGEN_BUILT_DIGEST', 'CIGEN_BUILT_REF'] as const;
