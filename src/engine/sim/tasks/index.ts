import type { TaskName } from '../../config/taskCatalog';
import { pushTask } from './push';
import { reachTask } from './reach';
import type { TaskDefinition } from './task';

export const TASK_DEFINITIONS: Readonly<Record<TaskName, TaskDefinition>> = { reach: reachTask, push: pushTask };
