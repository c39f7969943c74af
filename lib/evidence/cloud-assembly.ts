import * as fs from 'fs';
import * as path from 'path';
import { CfnTemplate } from './template-model';

/** The cellkit metadata CellStack writes into each template. */
export interface CellMetadata {
  readonly version: string;
  readonly tenant: string;
  readonly plan: string;
  readonly sizing: string;
  readonly egress: string;
  readonly pinnedRegion: string;
  readonly pinnedAt: string;
  readonly allowedRegions: readonly string[];
}

export interface SynthesizedCell {
  readonly stackName: string;
  /** From the cloud assembly manifest: where `cdk deploy` will create the stack. */
  readonly account: string;
  readonly region: string;
  readonly templateFile: string;
  readonly template: CfnTemplate;
  readonly cell: CellMetadata;
}

interface ManifestArtifact {
  type: string;
  environment?: string;
  properties?: { templateFile?: string; stackName?: string };
}

/**
 * Reads every cell stack from a cloud assembly (cdk.out): the deploy environment from the
 * manifest and the template as synthesized. Never reads the TypeScript source.
 */
export function readCells(cdkOut: string): SynthesizedCell[] {
  const manifestFile = path.join(cdkOut, 'manifest.json');
  if (!fs.existsSync(manifestFile)) {
    throw new Error(`no cloud assembly at ${cdkOut} (missing manifest.json): run \`npx cdk synth\` first`);
  }
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as { artifacts?: Record<string, ManifestArtifact> };
  const cells: SynthesizedCell[] = [];
  for (const [id, artifact] of Object.entries(manifest.artifacts ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    if (artifact.type !== 'aws:cloudformation:stack' || !artifact.properties?.templateFile) continue;
    const templateFile = path.join(cdkOut, artifact.properties.templateFile);
    const template = JSON.parse(fs.readFileSync(templateFile, 'utf8')) as CfnTemplate;
    const cell = (template.Metadata as { cellkit?: CellMetadata } | undefined)?.cellkit;
    if (!cell) continue;
    const env = /^aws:\/\/([^/]+)\/(.+)$/.exec(artifact.environment ?? '');
    cells.push({
      stackName: artifact.properties.stackName ?? id,
      account: env?.[1] ?? 'unknown',
      region: env?.[2] ?? 'unknown',
      templateFile,
      template,
      cell,
    });
  }
  return cells;
}
