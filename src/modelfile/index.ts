export { parseModelfile } from './parser.js';
export { decodeModelfile } from './decode.js';
export {
  type Command,
  type MessageCommand,
  type MessageRole,
  type ParameterCommand,
  type ValueCommand,
  type ValueKind,
  INSTRUCTIONS,
  MESSAGE_ROLES,
  Modelfile,
  ModelfileError,
} from './types.js';
export {
  DEFAULT_TEMPLATE,
  type ShowModelfileInput,
  formatCommand,
  formatModelfile,
  formatParameterValue,
  formatParametersString,
  quoteValue,
  showCommands,
} from './formatter.js';
export {
  type CreateRequestDraft,
  type CreateRequestFields,
  type ModelfileSource,
  type SourceResolver,
  completeCreateRequest,
  isValidSemver,
  modelfileToCreateRequest,
  normalizeRequires,
} from './request.js';
export { goFormatFloat, goIsPrint, goQuote } from './gofmt.js';
