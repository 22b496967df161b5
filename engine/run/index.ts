export * from './compile.js';
export * from './engine.js';
export * from './errors.js';
export { executeWorkflow, errorInfo, now, type ExecutionHost, type TaskRunner, type RunContext } from './executor.js';
export { AbortFanout } from './abort.js';
export { HttpClient, compileHttp, parseOrigins, type CompiledHttp } from './http.js';
export * from './retry.js';
export * from './trace.js';
