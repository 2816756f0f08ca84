package store

import (
	"context"
	"fmt"
)

// AuditPayloadAccess records an operator's use of the codec server, naming the workflow the
// caller said the payloads came from. Unlike Audit it is the caller's to check: payloads are
// decrypted only once this record is written.
func (s *Store) AuditPayloadAccess(ctx context.Context, e AuditEntry, workflowID string) error {
	_, err := s.DB.Exec(
		ctx,
		`INSERT INTO audit_log (actor_id, actor_role, action, pupil_id, school_id, request_id, outcome, workflow_id)
		VALUES (NULLIF($1,'')::uuid, $2, $3, NULLIF($4,'')::uuid, NULLIF($5,'')::uuid, $6, $7, $8)`,
		e.ActorID,
		e.ActorRole,
		e.Action,
		e.PupilID,
		e.SchoolID,
		e.RequestID,
		e.Outcome,
		workflowID,
	)
	if err != nil {
		return fmt.Errorf("append audit record of workflow payload access: %w", err)
	}
	return nil
}
