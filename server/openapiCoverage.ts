/**
 * OpenAPI paths and JSON schemas of the coverage routes (routes/coverage.ts): coverage MOCs and
 * per-cell counts of catalogues and collections; openapi.ts merges them into the served document.
 * The same schemas validate the requests and serialize the answers.
 */
import { MAX_COUNTS_ORDER, MAX_COUNT_CELLS, MAX_MOC_ORDER } from './storage/coverage.js';

const NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$';

export const coverageParamsSchema = {
  type: 'object',
  required: ['kind', 'name'],
  additionalProperties: false,
  properties: {
    kind: { type: 'string', enum: ['catalogue', 'collection'], description: 'catalogue (see /api/catalogues) or collection (see /api/collections)' },
    name: { type: 'string', pattern: NAME_PATTERN, description: 'catalogue or collection name' },
  },
} as const;

export const mocQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    format: {
      type: 'string',
      enum: ['json', 'fits', 'ascii'],
      default: 'json',
      description: 'MOC 2.0 serialisation: json (application/json), fits (NUNIQ binary table), ascii (text/plain)',
    },
    order: {
      type: 'integer',
      minimum: 0,
      maximum: MAX_MOC_ORDER.catalogue,
      description:
        `MOC order (HEALPix depth): catalogues 0..${MAX_MOC_ORDER.catalogue}, collections 0..${MAX_MOC_ORDER.collection}. ` +
        'Default: from the data (catalogues: the order with about as many cells as rows, 3..10; collections: cells ' +
        'about a quarter of the median footprint across, 6..12)',
    },
  },
} as const;

export const cellCountsQuerySchema = {
  type: 'object',
  required: ['order'],
  additionalProperties: false,
  properties: {
    order: { type: 'integer', minimum: 0, maximum: MAX_COUNTS_ORDER, description: `HEALPix order of the cells (0..${MAX_COUNTS_ORDER}), NESTED` },
  },
} as const;

export const cellCountsSchema = {
  type: 'object',
  required: ['kind', 'name', 'order', 'total', 'cells', 'counts'],
  additionalProperties: false,
  properties: {
    kind: { type: 'string', enum: ['catalogue', 'collection'] },
    name: { type: 'string' },
    order: { type: 'integer' },
    total: { type: 'integer', description: 'sum of counts (all rows of the source)' },
    cells: { type: 'array', items: { type: 'integer' }, description: 'NESTED indices of the non-empty cells, ascending' },
    counts: {
      type: 'array',
      items: { type: 'integer' },
      description: 'rows in each cell (catalogues: rows by position; collections: observations by the centre of their footprint)',
    },
  },
} as const;

const pathParams = [
  { name: 'kind', in: 'path', required: true, schema: coverageParamsSchema.properties.kind, example: 'catalogue' },
  { name: 'name', in: 'path', required: true, schema: coverageParamsSchema.properties.name, example: 'hipparcos' },
];
const jsonError = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

export function coveragePaths(): Record<string, unknown> {
  return {
    '/api/coverage/{kind}/{name}/moc': {
      get: {
        tags: ['archive'],
        summary: 'Coverage MOC of a catalogue (cells holding rows) or a collection (union of the footprints)',
        operationId: 'coverageMoc',
        parameters: [
          ...pathParams,
          { name: 'format', in: 'query', required: false, schema: mocQuerySchema.properties.format, example: 'fits' },
          { name: 'order', in: 'query', required: false, schema: mocQuerySchema.properties.order, example: 6 },
        ],
        responses: {
          '200': {
            description: 'the MOC (X-Moc-Order header: its order)',
            content: {
              'application/json': { schema: { type: 'object', additionalProperties: { type: 'array', items: { type: 'integer' } } } },
              'application/fits': { schema: { type: 'string', format: 'binary' } },
              'text/plain': { schema: { type: 'string' } },
            },
          },
          '400': jsonError('a parameter is bad (the message names it and the limit)'),
          '404': jsonError('no such catalogue or collection'),
        },
      },
    },
    '/api/coverage/{kind}/{name}/counts': {
      get: {
        tags: ['archive'],
        summary: 'Rows per HEALPix cell of a catalogue or collection at one order (non-empty cells only)',
        operationId: 'coverageCounts',
        parameters: [...pathParams, { name: 'order', in: 'query', required: true, schema: cellCountsQuerySchema.properties.order, example: 3 }],
        responses: {
          '200': { description: 'cells and counts', content: { 'application/json': { schema: { $ref: '#/components/schemas/CellCounts' } } } },
          '400': jsonError('a parameter is bad (the message names it)'),
          '404': jsonError('no such catalogue or collection'),
          '413': jsonError(`more than ${MAX_COUNT_CELLS} non-empty cells at that order (the message names the limit)`),
        },
      },
    },
  };
}

export function coverageComponents(): Record<string, unknown> {
  return { CellCounts: cellCountsSchema };
}
