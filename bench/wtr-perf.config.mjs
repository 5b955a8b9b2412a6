// web-test-runner config for the perf pages run by benchmarks: the browser tests' config with a
// longer limit (a page measuring 1e5 footprints in SwiftShader runs for minutes).
import base from '../web-test-runner.config.mjs';

export default {
  ...base,
  files: [],
  testsFinishTimeout: 1_500_000,
  testFramework: { config: { timeout: 1_500_000 } },
};
