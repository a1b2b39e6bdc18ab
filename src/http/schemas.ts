/**
 * Reusable request-schema pieces with bounds, shared by the native routes.
 */
import { Type } from '@sinclair/typebox';

export const OrgId = Type.String({ minLength: 1, maxLength: 200 });
export const ActorId = Type.String({ minLength: 1, maxLength: 200 });
export const Timestamp = Type.String({ maxLength: 64, description: 'RFC 3339 with offset or Z' });
