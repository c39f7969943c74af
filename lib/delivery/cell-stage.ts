import * as fs from 'fs';
import * as path from 'path';
import { DefaultStackSynthesizer, FileAssetPackaging, Stack, Stage } from 'aws-cdk-lib';
import { CfnInclude } from 'aws-cdk-lib/cloudformation-include';
import { Construct } from 'constructs';
import { cellStackName } from '../cell/cell-stack';
import { CellkitConfigError } from '../registry/errors';
import { Tenant } from '../registry/registry';

export interface CellStageProps {
  readonly tenant: Tenant;
  /**
   * The cloud assembly of the gated synth (`cdk synth -c pipeline=<name>`): the cell's template and assets
   * are taken from it as they are, so the pipeline deploys exactly what the nag packs and evidence checked.
   */
  readonly gatedAssembly: string;
}

interface AssetManifest {
  files?: Record<string, { source: { path: string; packaging?: string } }>;
}

/**
 * One tenant's cell as a CDK Pipelines stage: stack `Cell-<id>` in the tenant's account and pinned region,
 * holding the template that the gated synth wrote (CfnInclude keeps every logical ID and property) and its
 * file assets under their original hashes. So the pipeline and `cdk deploy -c tenant=<id> Cell-<id>` deploy
 * the same template, and CodePipeline never deploys anything the gate did not see.
 */
export class CellStage extends Stage {
  readonly cell: Stack;
  readonly tenantId: string;

  constructor(scope: Construct, id: string, props: CellStageProps) {
    const { tenant } = props;
    super(scope, id, { env: { account: tenant.spec.account, region: tenant.pin.region } });
    this.tenantId = tenant.id;
    const name = cellStackName(tenant.id);
    const templateFile = path.join(props.gatedAssembly, `${name}.template.json`);
    const assetsFile = path.join(props.gatedAssembly, `${name}.assets.json`);
    if (!fs.existsSync(templateFile) || !fs.existsSync(assetsFile)) {
      throw new CellkitConfigError([`tenant "${tenant.id}": no gated template in ${props.gatedAssembly} (missing ${path.basename(templateFile)} or ${path.basename(assetsFile)}); run \`npx cdk synth -c pipeline=<name> -o ${props.gatedAssembly}\` first`]);
    }
    // The gated template already carries the bootstrap-version rule; do not add a second one.
    this.cell = new Stack(this, name, {
      stackName: name,
      terminationProtection: true,
      synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }),
    });
    new CfnInclude(this.cell, 'Cell', { templateFile });
    const manifest = JSON.parse(fs.readFileSync(assetsFile, 'utf8')) as AssetManifest;
    for (const [hash, asset] of Object.entries(manifest.files ?? {})) {
      if (asset.source.packaging !== 'zip') continue; // the template itself is re-published by this stack
      // Same hash, so the same S3 object key the template's Lambda code properties point at.
      fs.cpSync(path.join(props.gatedAssembly, asset.source.path), path.join(this.outdir, asset.source.path), { recursive: true });
      this.cell.synthesizer.addFileAsset({ sourceHash: hash, fileName: asset.source.path, packaging: FileAssetPackaging.ZIP_DIRECTORY });
    }
  }
}
