// FileShareAdminSecrets (lib/data/file-share/admin-secrets.ts): the fsxadmin and vsadmin passwords.
import { Built, buildSizings, resource, Sizings } from './sizings';

const FS_LOGICAL_ID = 'FileShareFileSystemF09730EB';
const SVM_LOGICAL_ID = 'FileShareStorageVirtualMachineB9483BBC';

let cells: Sizings;
beforeAll(() => (cells = buildSizings()));

describe.each([
  ['prod', () => cells.prod],
  ['dev', () => cells.dev],
])('FileShareAdminSecrets (%s sizing)', (_name, get) => {
  const dataKey = (b: Built) => b.stack.resolve(b.stack.keys.dataKey.keyArn);
  const fs = (b: Built) => resource(b, FS_LOGICAL_ID).Properties;

  test('admin passwords are generated secrets (data key) passed only by dynamic reference', () => {
    const b = get();
    const svm = resource(b, SVM_LOGICAL_ID).Properties;
    for (const [password, user] of [[fs(b).OntapConfiguration.FsxAdminPassword, 'fsxadmin'], [svm.SvmAdminPassword, 'vsadmin']]) {
      const secrets = b.template.findResources('AWS::SecretsManager::Secret', { Properties: { Name: `cellkit/${b.stack.tenant.id}/file-share/${user}` } });
      const [secretId] = Object.keys(secrets);
      expect(secrets[secretId].Properties).toMatchObject({ KmsKeyId: dataKey(b), GenerateSecretString: { GenerateStringKey: 'password', PasswordLength: 32 } });
      expect(password).toEqual({ 'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: secretId }, ':SecretString:password::}}']] });
    }
  });
});
