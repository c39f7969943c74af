// Evidence control: one PostgreSQL instance, encrypted with the data key, TLS enforced, in isolated subnets.
import { Control } from '../control';
import { prop } from '../template-model';

export const ownDatabase: Control = {
  id: 'own-database',
  title: 'The company has its own PostgreSQL database, encrypted with its own key, TLS enforced, in isolated subnets',
  evaluate(ctx, c) {
    const dbs = ctx.model.ofType('AWS::RDS::DBInstance');
    if (!c.require(dbs.length === 1, `expected exactly one RDS instance, found ${dbs.length}`)) return;
    const [id, db] = dbs[0];
    c.see(id, 'Engine', prop(db, 'Properties.Engine'));
    c.see(id, 'StorageEncrypted', prop(db, 'Properties.StorageEncrypted'));
    c.see(id, 'KmsKeyId', prop(db, 'Properties.KmsKeyId'));
    c.require(prop(db, 'Properties.Engine') === 'postgres', 'the database engine is not postgres');
    c.require(prop(db, 'Properties.StorageEncrypted') === true, 'storage encryption is off');
    c.require(ctx.dataKey !== undefined && ctx.model.refersTo(prop(db, 'Properties.KmsKeyId'), ctx.dataKey), "storage is not encrypted with the cell's data key");
    c.require(prop(db, 'Properties.PubliclyAccessible') !== true, 'the database is publicly accessible');
    const pg = ctx.model.references(prop(db, 'Properties.DBParameterGroupName'))[0];
    const ssl = prop(ctx.model.get(pg), 'Properties.Parameters') as Record<string, unknown> | undefined;
    c.see(pg ?? '(none)', "Parameters['rds.force_ssl']", ssl?.['rds.force_ssl']);
    c.require(String(ssl?.['rds.force_ssl']) === '1', 'TLS is not enforced (rds.force_ssl is not 1)');
    const group = ctx.model.references(prop(db, 'Properties.DBSubnetGroupName'))[0];
    const subnets = ctx.model.references(prop(ctx.model.get(group), 'Properties.SubnetIds'));
    c.see(group ?? '(none)', 'SubnetIds', subnets.join(', '));
    const publicOnes = subnets.filter((s) => ctx.publicSubnets.has(s));
    c.require(subnets.length > 0 && publicOnes.length === 0, `the database subnet group includes public subnets: ${publicOnes.join(', ') || '(no subnets)'}`);
  },
};
