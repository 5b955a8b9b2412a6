// Public float64 sky maths: vectors, positions, the camera and its projections.
export * from './vec3.js';
export * from './angles.js';
export * from './camera.js';
export * from './projections.js';
export * from './frames.js';
