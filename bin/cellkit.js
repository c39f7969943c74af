#!/usr/bin/env node
'use strict';
// The `cellkit` executable (package.json "bin"; `npx cellkit`, `npm run cellkit --`, an installed binary).
// Node cannot run bin/cellkit.ts directly (ERR_UNKNOWN_FILE_EXTENSION): this runs it through ./run-ts.js.
const path = require('path');

// The AWS SDK warns on Node < 22 that SDK versions published after January 2027 will need Node 22
// (emitWarningIfUnsupportedVersion in @aws-sdk/core, aws/aws-sdk-js-v3
// packages/core/src/submodules/client/emitWarningIfUnsupportedVersion.ts, switched off by this variable).
// cellkit pins its SDK versions, so a user cannot act on it; cellkit's supported Node versions are in the
// README. Only that warning is switched off, and only if the user has not set the variable.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

process.argv.splice(1, 1, path.join(__dirname, 'run-ts.js'), path.join(__dirname, 'cellkit.ts'));
require('./run-ts.js');
