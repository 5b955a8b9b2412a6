// Types of the element's catalogue API (overlayCatalogue & co.) and of its shape events.
import type { CatalogData, ColumnData, RangeFilter } from './columns.js';
import type { CatalogStyle } from '../render/layers/catalogLayer.js';
import type { MarkerImageSource } from './markerImage.js';
import type { ProperMotionOptions } from './properMotion.js';

/** A catalogue style as the element takes it: the marker image may also be a URL or a Blob (loaded first). */
export interface CatalogueStyle extends Omit<CatalogStyle, 'image'> {
  readonly image?: MarkerImageSource | string | Blob;
}

/** overlayCatalogue's argument: the rows (columnar, ICRS degrees) and how to draw them. */
export interface CatalogueOptions extends CatalogueStyle {
  /** Id to use (default: 'catalogue-<n>'); must be unique among the element's catalogues. */
  readonly id?: string;
  readonly name?: string;
  readonly raDeg: CatalogData['raDeg'];
  readonly decDeg: CatalogData['decDeg'];
  readonly columns?: Readonly<Record<string, ColumnData>>;
  /** Up to 4 range filters over numeric columns. */
  readonly filters?: readonly RangeFilter[];
  /** Draw the rows at another epoch from their proper motions, with arrows (pmRa is pmRA·cos dec, mas/yr). */
  readonly properMotion?: ProperMotionOptions;
}

/** detail of `shape-hover` (pointer entered a row's marker) and `shape-select` (click on it). */
export interface ShapeEventDetail {
  /** The catalogue's id (from overlayCatalogue). */
  readonly layer: string;
  readonly row: number;
  readonly raDeg: number;
  readonly decDeg: number;
}

export interface CatalogueEventMap {
  'shape-hover': CustomEvent<ShapeEventDetail>;
  'shape-select': CustomEvent<ShapeEventDetail>;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- declaration merging adds the events
  interface HTMLElementEventMap extends CatalogueEventMap {}
}
