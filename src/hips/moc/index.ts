// MOC 2.0 (space, time, space-time): public exports.
export { MocParseError } from './errors.js';
export { SpaceMoc } from './spaceMoc.js';
export { TimeMoc } from './timeMoc.js';
export { SpaceTimeMoc } from './spaceTimeMoc.js';
export type { SpaceTimeEntry } from './spaceTimeMoc.js';
export { parseMoc, readMoc } from './read.js';
export type { AnyMoc } from './read.js';
