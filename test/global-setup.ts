import { migrationSources } from '@emporium/server/migration-sources';
import { setupTestRun } from '@emporium/testkit/global-setup';
import type { TestProject } from 'vitest/node';

export default function setup(project: TestProject) {
  return setupTestRun(project, migrationSources);
}
