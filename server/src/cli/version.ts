/** The version of qnn (package.json's `version`; test/cli/check-formats.test.ts checks they agree). */
export const QNN_VERSION = '0.1.0';
