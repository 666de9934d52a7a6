import { describe, expect, it } from 'vitest';
import {
  fileTypeId,
  fileTypeName,
  fileTypeOfValue,
  ggmlType,
  ggmlTypeByName,
  tensorTypeName,
} from '../../../src/registry/gguf/filetypes.js';

describe('fileTypeName (Ollama FileType.String over llama_ftype)', () => {
  const cases: Array<[number, string]> = [
    [0, 'F32'], [1, 'F16'], [2, 'Q4_0'], [3, 'Q4_1'], [4, 'MXFP4'], [5, 'unknown'], [6, 'unknown'],
    [7, 'Q8_0'], [8, 'Q5_0'], [9, 'Q5_1'], [10, 'Q2_K'], [11, 'Q3_K_S'], [12, 'Q3_K_M'],
    [13, 'Q3_K_L'], [14, 'Q4_K_S'], [15, 'Q4_K_M'], [16, 'Q5_K_S'], [17, 'Q5_K_M'], [18, 'Q6_K'],
    [19, 'unknown'], [20, 'unknown'], [21, 'Q2_K_S'], [22, 'unknown'], [30, 'unknown'],
    [31, 'unknown'], [32, 'BF16'], [36, 'unknown'], [1024, 'unknown'], [-1, 'unknown'], [1.5, 'unknown'],
  ];
  it.each(cases)('%d → %s', (n, want) => expect(fileTypeName(n)).toBe(want));

  it('fileTypeId inverts fileTypeName', () => {
    expect(fileTypeId('Q4_K_M')).toBe(15);
    expect(fileTypeId('F16')).toBe(1);
    expect(fileTypeId('IQ4_XS')).toBeUndefined();
  });
});

describe('fileTypeOfValue (what Ollama reports for a file)', () => {
  const cases: Array<[unknown, string]> = [
    [undefined, 'unknown'],
    [0, 'unknown'], // F32 reports unknown: Ollama only trusts general.file_type > 0
    [1, 'F16'],
    [7, 'Q8_0'],
    [15, 'Q4_K_M'],
    [1024, 'unknown'],
    ['15', 'unknown'],
    [2.5, 'unknown'],
    [-3, 'unknown'],
  ];
  it.each(cases)('%s → %s', (v, want) => expect(fileTypeOfValue(v)).toBe(want));
});

describe('ggml tensor types', () => {
  it('knows block and type sizes', () => {
    expect(ggmlType(0)).toMatchObject({ name: 'F32', blockSize: 1, typeSize: 4 });
    expect(ggmlType(8)).toMatchObject({ name: 'Q8_0', blockSize: 32, typeSize: 34 });
    expect(ggmlType(12)).toMatchObject({ name: 'Q4_K', blockSize: 256, typeSize: 144 });
    expect(ggmlType(30)).toMatchObject({ name: 'BF16', blockSize: 1, typeSize: 2 });
    expect(ggmlTypeByName('q6_k')).toMatchObject({ id: 14, blockSize: 256, typeSize: 210 });
  });
  it('rejects removed and unknown ids', () => {
    for (const id of [4, 5, 31, 32, 33, 36, 37, 38, 43, 99, -1]) expect(ggmlType(id)).toBeUndefined();
  });
  const names: Array<[number, string]> = [
    [0, 'F32'], [1, 'F16'], [2, 'Q4_0'], [8, 'Q8_0'], [12, 'Q4_K'], [14, 'Q6_K'], [30, 'BF16'],
    [39, 'MXFP4'], [16, 'unknown'], [23, 'unknown'], [99, 'unknown'],
  ];
  it.each(names)('tensor type %d prints as %s', (id, want) => expect(tensorTypeName(id)).toBe(want));
});
