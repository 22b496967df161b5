export * from './parse.js';
export * from './compile.js';
