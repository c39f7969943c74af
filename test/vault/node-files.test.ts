// The node's scripts, units and config as real files (lib/vault/node/), and the substitution that fills them
// at synth. The rendered scripts are linted in vault-scripts.test.ts; here the files are linted as they are.
import * as fs from 'fs';
import * as path from 'path';
import { NODE_FILES_DIR, heredocBody, renderNodeFile } from '../../lib/vault/node-files';
import { VAULT_PATHS } from '../../lib/vault/vault-config';
import { shellcheck } from './vault-stack';

const HAVE_SHELLCHECK = shellcheck('#!/bin/bash\ntrue\n') !== null;
const lint = HAVE_SHELLCHECK ? test : test.skip;
const files = fs.readdirSync(NODE_FILES_DIR).sort();
const scripts = files.filter((f) => f.endsWith('.sh'));

test('the folder holds the node scripts, units and config', () => {
  expect(files).toEqual([
    'cellkit-node-extras.service',
    'node-extras.sh',
    'user-data.sh',
    'vault-fetch-tls.sh',
    'vault-install.sh',
    'vault-snapshot.service',
    'vault-snapshot.sh',
    'vault-snapshot.timer',
    'vault-tls-reload.service',
    'vault-tls-reload.sh',
    'vault-tls-reload.timer',
    'vault.logrotate',
    'vault.service',
  ]);
});

lint.each(scripts)('lib/vault/node/%s passes shellcheck as it is in the repository', (name) => {
  expect(shellcheck(fs.readFileSync(path.join(NODE_FILES_DIR, name), 'utf8'))).toBe('');
});

test.each(scripts)('lib/vault/node/%s is a bash script with strict error handling', (name) => {
  const text = fs.readFileSync(path.join(NODE_FILES_DIR, name), 'utf8');
  expect(text.split('\n').slice(0, 2)).toEqual(['#!/bin/bash', name === 'node-extras.sh' ? 'set -uo pipefail' : 'set -euo pipefail']);
});

test('placeholders are filled verbatim, VAULT_PATHS and the ports come for free, template comments are dropped', () => {
  const source = fs.readFileSync(path.join(NODE_FILES_DIR, 'vault.service'), 'utf8');
  expect(source).toContain('#@ ');
  expect(source).toContain('@@paths.bin@@');
  const unit = renderNodeFile('vault.service');
  expect(unit).not.toMatch(/#@|@@/);
  expect(unit).toContain(`ExecStart=${VAULT_PATHS.bin} server -config=${VAULT_PATHS.config}\n`);
  expect(renderNodeFile('vault-snapshot.timer', { schedule: '*-*-* 02:00:00' })).toContain('\nOnCalendar=*-*-* 02:00:00\n');
});

test('a placeholder without a value is refused, naming the file and the placeholder', () => {
  expect(() => renderNodeFile('vault-snapshot.timer')).toThrow('lib/vault/node/vault-snapshot.timer: placeholder @@schedule@@ has no value (given: none; common: paths.<key>, api_port, cluster_port)');
  expect(() => renderNodeFile('vault-fetch-tls.sh', { region: "'eu-west-2'" })).toThrow('lib/vault/node/vault-fetch-tls.sh: placeholder @@tls_secret_arn@@ has no value (given: region;');
  // Inherited object keys are not values.
  expect(() => renderNodeFile('vault-snapshot.timer', Object.create({ schedule: 'daily' }) as Record<string, string>)).toThrow('placeholder @@schedule@@ has no value');
});

test('a value that no placeholder uses is refused (a renamed or removed placeholder)', () => {
  expect(() => renderNodeFile('vault.service', { region: "'eu-west-2'" })).toThrow('lib/vault/node/vault.service: no placeholder uses the value(s) region');
  expect(() => renderNodeFile('vault-snapshot.timer', { schedule: 'daily', schedul: 'daily' })).toThrow('no placeholder uses the value(s) schedul');
});

test('a placeholder left in the result is refused', () => {
  expect(() => renderNodeFile('vault-snapshot.timer', { schedule: '@@region@@' })).toThrow('lib/vault/node/vault-snapshot.timer: placeholder @@region@@ is left in the result (a value contains it)');
});

test('a file that does not exist is refused with its path', () => {
  expect(() => renderNodeFile('no-such.sh')).toThrow(/ENOENT.*lib\/vault\/node\/no-such\.sh/);
});

test('each file is read from disk once per process, however often it is rendered', () => {
  jest.isolateModules(() => {
    // The fs module object itself (not this file's import wrapper), as node-files.ts calls it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the fs module object node-files.ts calls, inside jest.isolateModules
    const spy = jest.spyOn(require('fs') as typeof import('fs'), 'readFileSync');
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh module instance, so its read cache starts empty
      const fresh = require('../../lib/vault/node-files') as typeof import('../../lib/vault/node-files');
      for (let i = 0; i < 3; i++) fresh.renderNodeFile('vault-tls-reload.timer');
      const reads = spy.mock.calls.filter(([file]) => String(file).endsWith(`${path.sep}vault-tls-reload.timer`));
      expect(reads).toHaveLength(1);
    } finally {
      spy.mockRestore();
    }
  });
});

test('heredoc bodies lose exactly one final newline', () => {
  expect(heredocBody('a\nb\n')).toBe('a\nb');
  expect(heredocBody('a\nb')).toBe('a\nb');
  expect(heredocBody('a\n\n')).toBe('a\n');
});
