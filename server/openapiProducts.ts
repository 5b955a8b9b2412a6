/**
 * OpenAPI paths of the product download routes (routes/products.ts, which holds their schemas);
 * openapi.ts merges them into the served document.
 */
import { DEFAULT_PRODUCT_LIMITS, bulkBodySchema, productParamsSchema } from './routes/products.js';

const jsonError = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

export function productsPaths(): Record<string, unknown> {
  const { maxCount, maxBytes } = DEFAULT_PRODUCT_LIMITS;
  return {
    '/api/products/{collection}/{obsId}': {
      get: {
        tags: ['archive'],
        summary: 'Download the product of an observation: streamed when held here, 302 to its access_url when remote',
        operationId: 'getProduct',
        parameters: [
          { name: 'collection', in: 'path', required: true, schema: productParamsSchema.properties.collection, example: 'XSHOOTER' },
          { name: 'obsId', in: 'path', required: true, schema: productParamsSchema.properties.obsId, example: '388011' },
        ],
        responses: {
          '200': { description: 'the file (access_format, e.g. application/fits)', content: { 'application/fits': { schema: { type: 'string', format: 'binary' } } } },
          '302': { description: 'the product is elsewhere: Location is its access_url' },
          '400': jsonError('a parameter is bad'),
          '404': jsonError('no such observation, or it has no product'),
        },
      },
    },
    '/api/products/bulk': {
      post: {
        tags: ['archive'],
        summary: `Download up to ${maxCount} local products (at most ${maxBytes} bytes) as one streamed tar or ZIP archive (<collection>/<obs_id>.fits)`,
        operationId: 'bulkProducts',
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: bulkBodySchema,
              example: { ids: ['UVES-spectra/r.UVES.2011-08-11T232352.266-A01_0000', 'light-curves/tess_00025155310-s01_lc'], format: 'zip' },
            },
          },
        },
        responses: {
          '200': {
            description: 'ustar archive (format "tar", the default) or ZIP archive (format "zip": stored entries, ZIP64 when needed)',
            content: {
              'application/x-tar': { schema: { type: 'string', format: 'binary' } },
              'application/zip': { schema: { type: 'string', format: 'binary' } },
            },
          },
          '400': jsonError('an id is malformed, or names a product held elsewhere (the message names them)'),
          '404': jsonError('ids without a product (the message names them)'),
          '413': jsonError('too many ids or too many bytes (the message names the limit)'),
        },
      },
    },
  };
}
