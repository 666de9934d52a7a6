/** GGUF header reading: the public surface of src/registry/gguf/. */
export { GGUFError, NOT_GGUF_MESSAGE, type GGUFErrorCode } from './errors.js';
export { fileTypeId, fileTypeName, fileTypeOfValue, ggmlType, ggmlTypeByName, tensorTypeName, type GGMLTypeInfo } from './filetypes.js';
export { goFixed, humanNumber } from './humannumber.js';
export { modelInfo, tensorList, type ModelInfoOptions, type ModelInfoValue, type ShowTensor } from './modelinfo.js';
export { isGGUFFile, readGGUF } from './reader.js';
export {
  GGUFValueType,
  isGGUFArray,
  type GGUFArray,
  type GGUFInfo,
  type GGUFScalar,
  type GGUFTensorInfo,
  type GGUFValue,
  type ReadGGUFOptions,
} from './types.js';
