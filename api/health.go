package api

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
)

// HealthOutput says whether sendflow is up, and whether what it needs answers.
type HealthOutput struct {
	Body struct {
		Status string            `json:"status" example:"ok"`
		Checks map[string]string `json:"checks,omitempty"`
	}
}

func (s *Server) registerHealth(api huma.API) {
	huma.Register(api, huma.Operation{
		OperationID: "healthz", Method: http.MethodGet, Path: "/healthz",
		Summary: "Liveness: the process is up", Tags: []string{"Health"},
	}, func(ctx context.Context, _ *struct{}) (*HealthOutput, error) {
		out := &HealthOutput{}
		out.Body.Status = "ok"
		return out, nil
	})
	huma.Register(api, huma.Operation{
		OperationID: "readyz", Method: http.MethodGet, Path: "/readyz",
		Summary: "Readiness: PostgreSQL and Temporal answer", Tags: []string{"Health"},
		Errors: []int{http.StatusServiceUnavailable},
	}, func(ctx context.Context, _ *struct{}) (*HealthOutput, error) {
		ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		defer cancel()
		out := &HealthOutput{}
		out.Body.Checks = map[string]string{"postgres": "ok", "temporal": "ok"}
		var errs []error
		if err := s.Store.DB.Ping(ctx); err != nil {
			out.Body.Checks["postgres"] = "unreachable"
			errs = append(errs, &huma.ErrorDetail{Location: "postgres", Message: err.Error()})
		}
		if _, err := s.Temporal.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
			out.Body.Checks["temporal"] = "unreachable"
			errs = append(errs, &huma.ErrorDetail{Location: "temporal", Message: err.Error()})
		} else if _, err := s.Temporal.WorkflowService().DescribeNamespace(ctx,
			&workflowservice.DescribeNamespaceRequest{Namespace: s.TemporalNamespace}); err != nil {
			// A server without sendflow's namespace answers health checks and refuses every action.
			out.Body.Checks["temporal"] = "namespace " + s.TemporalNamespace + " not found"
			errs = append(errs, &huma.ErrorDetail{Location: "temporal",
				Message: fmt.Sprintf("namespace %q (SENDFLOW_TEMPORAL_NAMESPACE): %v", s.TemporalNamespace, err)})
		}
		if len(errs) > 0 {
			return nil, huma.Error503ServiceUnavailable(
				"sendflow is not ready: a service it needs does not answer",
				errs...)
		}
		out.Body.Status = "ready"
		return out, nil
	})
}
