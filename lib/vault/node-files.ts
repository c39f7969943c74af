// The scripts, systemd units and config files a Vault node runs are real files in ./node/ (shellcheck lints
// the *.sh files as they are). At synth each is read once per process and filled by an explicit substitution:
// `@@name@@` is replaced by the value given for `name` (VAULT_PATHS as `paths.<key>`, the ports as
// `api_port`/`cluster_port`); lines starting with `#@` are template comments and dropped. A placeholder
// without a value, a value no placeholder uses, or a placeholder left in the result is an error.
import { readFileSync } from 'fs';
import * as path from 'path';
import { VAULT_API_PORT, VAULT_CLUSTER_PORT, VAULT_PATHS } from './vault-config';

export const NODE_FILES_DIR = path.join(__dirname, 'node');

const PLACEHOLDER = /@@([A-Za-z0-9_.]+)@@/g;
const TEMPLATE_COMMENT = /^#@(?: .*)?\n/gm;

/** Values every node file may use. */
const COMMON: Readonly<Record<string, string>> = {
  ...Object.fromEntries(Object.entries(VAULT_PATHS).map(([key, value]) => [`paths.${key}`, value])),
  api_port: String(VAULT_API_PORT),
  cluster_port: String(VAULT_CLUSTER_PORT),
};

const sources = new Map<string, string>();

function source(name: string): string {
  let text = sources.get(name);
  if (text === undefined) {
    text = readFileSync(path.join(NODE_FILES_DIR, name), 'utf8').replace(TEMPLATE_COMMENT, '');
    sources.set(name, text);
  }
  return text;
}

/** The file `lib/vault/node/<name>` with its placeholders filled: values are inserted verbatim (quote them first). */
export function renderNodeFile(name: string, values: Readonly<Record<string, string>> = {}): string {
  const where = `lib/vault/node/${name}`;
  const unused = new Set(Object.keys(values));
  const rendered = source(name).replace(PLACEHOLDER, (_, key: string) => {
    unused.delete(key);
    const value = Object.prototype.hasOwnProperty.call(values, key) ? values[key] : Object.prototype.hasOwnProperty.call(COMMON, key) ? COMMON[key] : undefined;
    if (value === undefined) throw new Error(`${where}: placeholder @@${key}@@ has no value (given: ${Object.keys(values).sort().join(', ') || 'none'}; common: paths.<key>, api_port, cluster_port)`);
    return value;
  });
  if (unused.size > 0) throw new Error(`${where}: no placeholder uses the value(s) ${[...unused].sort().join(', ')}`);
  const left = rendered.match(PLACEHOLDER);
  if (left) throw new Error(`${where}: placeholder ${left[0]} is left in the result (a value contains it)`);
  return rendered;
}

/** A file's content as a heredoc body: without its final newline (the heredoc adds it). */
export function heredocBody(content: string): string {
  return content.endsWith('\n') ? content.slice(0, -1) : content;
}
