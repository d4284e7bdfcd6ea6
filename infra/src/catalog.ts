/**
 * Glue database with one table per lake table (columns from src/lake/schema.ts) and partition projection on
 * `quarter`, so Athena needs no crawler and no `MSCK REPAIR`; and the Athena workgroup with its result
 * location and per-query scan cutoff.
 */

import { parseQuarterRange } from '@callthemes/common/config';
import { athenaType, TABLE_NAMES, TABLES } from '@callthemes/common/lake';
import { Aws, aws_athena as athena, aws_glue as glue, type aws_s3 as s3 } from 'aws-cdk-lib';
import { Construct } from 'constructs';

export interface CatalogProps {
  bucket: s3.IBucket;
  /** Key prefix of the lake in the bucket, e.g. `lake`. */
  lakePrefix: string;
  /** Key prefix of Athena results, e.g. `athena-results`. */
  resultsPrefix: string;
  projectionQuarters: string;
  bytesScannedCutoff: number;
}

export class LakeCatalog extends Construct {
  readonly databaseName: string;
  readonly workGroupName: string;
  readonly tables: glue.CfnTable[] = [];

  constructor(scope: Construct, id: string, props: CatalogProps) {
    super(scope, id);
    this.databaseName = 'callthemes';
    const database = new glue.CfnDatabase(this, 'Database', {
      catalogId: Aws.ACCOUNT_ID,
      databaseInput: { name: this.databaseName, description: 'callthemes lake: Parquet tables by quarter' },
    });
    const quarters = parseQuarterRange(props.projectionQuarters).join(',');
    for (const name of TABLE_NAMES) {
      const def = TABLES[name];
      const location = `s3://${props.bucket.bucketName}/${props.lakePrefix}/${name}/`;
      const table = new glue.CfnTable(this, `Table-${name}`, {
        catalogId: Aws.ACCOUNT_ID,
        databaseName: this.databaseName,
        tableInput: {
          name,
          description: def.doc,
          tableType: 'EXTERNAL_TABLE',
          partitionKeys: [{ name: 'quarter', type: 'string', comment: 'YYYYQn' }],
          parameters: {
            classification: 'parquet',
            EXTERNAL: 'TRUE',
            'projection.enabled': 'true',
            'projection.quarter.type': 'enum',
            'projection.quarter.values': quarters,
            'storage.location.template': `${location}quarter=\${quarter}/`,
          },
          storageDescriptor: {
            location,
            inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
            outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
            serdeInfo: {
              serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
            },
            columns: def.columns.map((c) => ({
              name: c.name,
              type: athenaType(c.type),
              comment: c.doc.slice(0, 255),
            })),
          },
        },
      });
      table.node.addDependency(database);
      this.tables.push(table);
    }

    this.workGroupName = 'callthemes';
    new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: this.workGroupName,
      description: 'callthemes queries over the lake',
      recursiveDeleteOption: true,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: props.bytesScannedCutoff,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: `s3://${props.bucket.bucketName}/${props.resultsPrefix}/`,
          encryptionConfiguration: { encryptionOption: 'SSE_S3' },
        },
      },
    });
  }
}
