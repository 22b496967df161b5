export { GroupCommit, type CommitInfo, type CommitStats, type GroupCommitOptions } from './commit.js';
export { isSecretKey, maskSecrets } from './mask.js';
export { ExecutionRecorder, type RecorderEngine } from './recorder.js';
export { flattenTrace, rebuildTrace } from './rows.js';
export * from './store.js';
