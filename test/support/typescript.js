// TypeScript for the tests: tsx (esbuild) compiles each file as it loads, for require() and
// for import() (the program's dynamic imports), without type-checking (`npm run typecheck`
// does that once). A require-list entry rather than mocha's node-option, so that Stryker's
// mocha runner, which loads this list in its own process, compiles the same way.
"use strict";
require("tsx/cjs");
require("tsx/esm/api").register();
