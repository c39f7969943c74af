// Jest setup (jest.config.js setupFiles): the same switch as bin/cellkit.js. The AWS SDK warns on Node < 22
// that its releases after January 2027 will need Node 22 (emitWarningIfUnsupportedVersion in @aws-sdk/core,
// switched off by AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true). cellkit pins the SDK, so the warning
// is not actionable in a test run; every other warning still shows.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
