// Types for validate.generated.mjs, which `npm run build` writes (ajv standalone code for
// gitlab-ci.schema.json, as an ES module). The .mjs file is not committed; the schema is.
import type { ErrorObject } from 'ajv';

interface ValidateFunction {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

declare const validate: ValidateFunction;
export default validate;
