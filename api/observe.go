package api

import (
	"github.com/danielgtaylor/huma/v2"

	"github.com/sendflow/sendflow/internal/telemetry"
)

// nameOperation tells the metrics and the trace which operation a request is, so they are
// labelled by its id and never by a path that carries a pupil's id.
func nameOperation(ctx huma.Context, next func(huma.Context)) {
	telemetry.SetOperation(ctx.Context(), ctx.Operation().OperationID)
	next(ctx)
}
