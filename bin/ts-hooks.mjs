// Installs Weft's TypeScript module hooks (ts-loader.mjs) in this process:
// `node --import ./bin/ts-hooks.mjs some/file.ts`. The benchmarks run this way, so the measured
// code is compiled exactly as `weft` runs it (no helpers wrapped around functions).
import { register } from 'node:module';

register('./ts-loader.mjs', import.meta.url);
