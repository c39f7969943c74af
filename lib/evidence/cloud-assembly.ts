import * as fs from 'fs';
import * as path from 'path';
import { z } from 'zod';
import { CellkitConfigError } from '../registry/errors';
import { parseJsonText } from '../registry/json-file';
import { CfnTemplate } from './template-model';

/** The cellkit metadata CellStack writes into each template (`Metadata.cellkit`). */
const CellMetadataSchema = z.object({
  version: z.string(),
  tenant: z.string().min(1),
  plan: z.string(),
  sizing: z.string(),
  egress: z.string(),
  pinnedRegion: z.string().min(1),
  pinnedAt: z.string(),
  allowedRegions: z.array(z.string()),
});
export type CellMetadata = z.infer<typeof CellMetadataSchema>;

export interface SynthesizedCell {
  readonly stackName: string;
  /** From the cloud assembly manifest: where `cdk deploy` will create the stack. */
  readonly account: string;
  readonly region: string;
  readonly templateFile: string;
  readonly template: CfnTemplate;
  readonly cell: CellMetadata;
}

/** A stack of the assembly that cannot be evaluated: it fails the run, named. */
export interface UnreadableCell {
  readonly stackName: string;
  /** The tenant its name implies (`Cell-<tenant>`), if any. */
  readonly tenant?: string;
  readonly problem: string;
}

export interface CloudAssembly {
  readonly cells: readonly SynthesizedCell[];
  readonly unreadable: readonly UnreadableCell[];
}

/** The cloud assembly itself cannot be read (missing, or a file is not valid JSON): nothing can be told. */
export class AssemblyReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AssemblyReadError';
  }
}

interface ManifestArtifact {
  type: string;
  environment?: string;
  properties?: { templateFile?: string; stackName?: string };
}

const STACK = 'aws:cloudformation:stack';

/**
 * Reads every stack of a cloud assembly (cdk.out): the deploy environment from the manifest and the
 * template as synthesized. Never reads the TypeScript source. Fails closed: cellkit's app synthesizes
 * only cells, so every stack must be a cell with valid `Metadata.cellkit`; any other is returned as
 * unreadable, named, never skipped.
 */
export function readCloudAssembly(cdkOut: string): CloudAssembly {
  const manifestFile = path.join(cdkOut, 'manifest.json');
  if (!fs.existsSync(manifestFile)) {
    throw new AssemblyReadError(`no cloud assembly at ${cdkOut} (missing ${manifestFile}): run \`npx cdk synth\` first`);
  }
  const manifest = readJson(manifestFile, 'cloud assembly manifest') as { artifacts?: Record<string, ManifestArtifact> };
  const cells: SynthesizedCell[] = [];
  const unreadable: UnreadableCell[] = [];
  for (const [id, artifact] of Object.entries(manifest.artifacts ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    if (artifact.type !== STACK) continue;
    const stackName = artifact.properties?.stackName ?? id;
    const tenant = /^Cell-(.+)$/.exec(stackName)?.[1];
    if (!artifact.properties?.templateFile) {
      unreadable.push({ stackName, tenant, problem: `stack ${stackName} in ${manifestFile} names no template file` });
      continue;
    }
    const templateFile = path.join(cdkOut, artifact.properties.templateFile);
    if (!fs.existsSync(templateFile)) throw new AssemblyReadError(`stack ${stackName}: its template ${templateFile} is missing: run \`npx cdk synth\` again`);
    const template = readJson(templateFile, `stack ${stackName}`) as CfnTemplate;
    const metadata = CellMetadataSchema.safeParse((template.Metadata as { cellkit?: unknown } | undefined)?.cellkit);
    if (!metadata.success) {
      unreadable.push({ stackName, tenant, problem: `stack ${stackName} (${templateFile}) has no valid Metadata.cellkit, so it cannot be evaluated as a cell; every stack cellkit synthesizes is a cell that carries it (CellStack writes it)` });
      continue;
    }
    if (tenant !== metadata.data.tenant) {
      unreadable.push({ stackName, tenant, problem: `stack ${stackName} (${templateFile}) is named for tenant ${JSON.stringify(tenant ?? '')} but its Metadata.cellkit.tenant is ${JSON.stringify(metadata.data.tenant)}` });
      continue;
    }
    const env = /^aws:\/\/([^/]+)\/(.+)$/.exec(artifact.environment ?? '');
    cells.push({ stackName, account: env?.[1] ?? 'unknown', region: env?.[2] ?? 'unknown', templateFile, template, cell: metadata.data });
  }
  return { cells, unreadable };
}

function readJson(file: string, label: string): unknown {
  try {
    return parseJsonText(fs.readFileSync(file, 'utf8'), file, label);
  } catch (e) {
    if (e instanceof CellkitConfigError) throw new AssemblyReadError(`${e.message}; run \`npx cdk synth\` again`);
    throw new AssemblyReadError(`${label}: cannot read ${file}: ${(e as Error).message}`);
  }
}
