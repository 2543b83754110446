// Types for validate.generated.cjs, which `npm run build` writes (ajv standalone code for
// gitlab-ci.schema.json). The .cjs file is not committed; the schema is.
import type { ErrorObject } from 'ajv';

interface ValidateFunction {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

declare const validate: ValidateFunction;
export = validate;
