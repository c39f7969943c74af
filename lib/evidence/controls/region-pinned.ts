// Evidence control: the cell is deployed in its pinned region, one of the six allowed.
import { ALLOWED_REGION_COUNT } from '../../registry/regions';
import { Control } from '../control';
import { prop, showValue } from '../template-model';

export const regionPinned: Control = {
  id: 'region-pinned',
  title: `The cell's region is one of the ${ALLOWED_REGION_COUNT} allowed regions of regions.json and equals its pin`,
  evaluate(ctx, c) {
    const { cell } = ctx;
    c.see('(stack)', 'deploy environment (cdk.out manifest)', `aws://${cell.account}/${cell.region}`);
    c.see('(template)', 'Metadata.cellkit.pinnedRegion', `${cell.cell.pinnedRegion} (pinned ${cell.cell.pinnedAt})`);
    c.see('(template)', 'Metadata.cellkit.allowedRegions', cell.cell.allowedRegions.join(', '));
    c.require(cell.cell.allowedRegions.length === ALLOWED_REGION_COUNT, `the allowed region list has ${cell.cell.allowedRegions.length} entries, not ${ALLOWED_REGION_COUNT}`);
    c.require(cell.cell.allowedRegions.includes(cell.region), `deploy region ${cell.region} is not one of the allowed regions`);
    c.require(cell.region === cell.cell.pinnedRegion, `deploy region ${cell.region} differs from the pin ${cell.cell.pinnedRegion}`);
    for (const [id, subnet] of ctx.model.ofType('AWS::EC2::Subnet')) {
      const az = prop(subnet, 'Properties.AvailabilityZone');
      c.require(typeof az === 'string' && az.startsWith(cell.cell.pinnedRegion), `subnet ${id} is in ${showValue(az)}, outside ${cell.cell.pinnedRegion}`);
    }
  },
};
