#!/usr/bin/env node
// The floor: the cheapest CDK app with one resource, run with the same CLI, app command style
// (`node bin/run-ts.js`) and cdk.json context as bin/app.ts. What any CDK app pays before cellkit adds anything.
import { App, Stack } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';

const app = new App();
new sns.Topic(new Stack(app, 'Floor', { env: { account: '123456789012', region: 'eu-west-2' } }), 'Topic');
