package api

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
	"github.com/google/uuid"
	"go.temporal.io/sdk/converter"

	"github.com/sendflow/sendflow/internal/store"
)

// The codec server speaks Temporal's remote codec protocol (POST …/encode and …/decode, payloads
// as protobuf JSON) so that the Temporal UI and the `temporal` CLI, pointed at
// <sendflow>/codec, can show operators the payloads sendflow encrypts before they reach Temporal.
// Those payloads are pupils' records (ids, stages, dates): only a system administrator may use it,
// and each call is audited — who, which workflow the caller says it is, when — before anything
// is decrypted. The operations are left out of the API's OpenAPI document: they are an operators'
// protocol, not part of the API.

// CodecInput is a codec request: the payloads, and what the Temporal UI or CLI says about them.
type CodecInput struct {
	Namespace  string `header:"X-Namespace" doc:"Temporal namespace the payloads belong to (the Temporal UI and CLI send it)."`
	WorkflowID string `header:"X-Workflow-Id" maxLength:"255" doc:"The workflow the payloads come from, for the audit trail (e.g. temporal --codec-header 'X-Workflow-Id=pathway/…')."`
	RawBody    []byte `contentType:"application/json"`
}

const codecObject = "workflow_payloads"

// codecHeaders are the request headers a browser may send to the codec server.
const codecHeaders = "Authorization, Content-Type, X-Namespace, X-Workflow-Id"

func (s *Server) registerCodec(api huma.API, mux *http.ServeMux) {
	if s.PayloadCodec == nil {
		return // describing the API (sendflow openapi), not serving it
	}
	handler := converter.NewPayloadCodecHTTPHandler(s.PayloadCodec)
	for _, act := range []string{"decode", "encode"} {
		huma.Register(api, huma.Operation{
			OperationID: "codec-" + act, Method: http.MethodPost, Path: "/codec/" + act,
			Summary: "Temporal codec server: " + act + " workflow payloads (system administrators)",
			Hidden:  true, Security: bearer, SkipValidateBody: true,
			Errors: []int{
				http.StatusBadRequest,
				http.StatusUnauthorized,
				http.StatusForbidden,
				http.StatusServiceUnavailable,
			},
		}, func(ctx context.Context, in *CodecInput) (*huma.StreamResponse, error) {
			return s.codec(ctx, act, in, handler)
		})
	}
	// A browser asks before it sends the Authorization header across origins.
	mux.HandleFunc("OPTIONS /codec/{action}", s.codecPreflight)
}

func (s *Server) codec(
	ctx context.Context,
	act string,
	in *CodecInput,
	handler http.Handler,
) (*huma.StreamResponse, error) {
	if strings.IndexFunc(in.WorkflowID, unicode.IsControl) >= 0 {
		return nil, huma.Error400BadRequest("X-Workflow-Id must be a workflow id, without control characters.")
	}
	p := currentUser(ctx)
	e := store.AuditEntry{ActorID: p.ID, ActorRole: "system_admin", Action: codecObject + ":" + act,
		PupilID: pupilOfWorkflow(in.WorkflowID), RequestID: currentRequestID(ctx), Outcome: "ok"}
	ok, err := s.Authz.SystemAccess(p, codecObject, act)
	if err != nil {
		return nil, s.unavailable(err)
	}
	if !ok {
		e.ActorRole, e.Outcome = "none", "denied"
		if err := s.Store.AuditPayloadAccess(ctx, e, in.WorkflowID); err != nil {
			s.Logger.Error("audit record not written", "action", e.Action, "error", err)
		}
		return nil, huma.Error403Forbidden(
			"Only a system administrator may read or write workflow payloads through the codec server.",
		)
	}
	if in.Namespace != "" && in.Namespace != s.TemporalNamespace {
		return nil, huma.Error400BadRequest(
			fmt.Sprintf("This codec server holds the keys of namespace %q only.", s.TemporalNamespace),
		)
	}
	// Nothing is decrypted unless the audit trail says who asked.
	if err := s.Store.AuditPayloadAccess(ctx, e, in.WorkflowID); err != nil {
		return nil, s.unavailable(err)
	}
	s.Logger.Info(
		"codec server used",
		"action",
		e.Action,
		"user_id",
		p.ID,
		"workflow_id",
		in.WorkflowID,
		"request_id",
		e.RequestID,
	)
	return &huma.StreamResponse{Body: func(hctx huma.Context) {
		r, w := humago.Unwrap(hctx)
		r = r.Clone(r.Context())
		r.Body = io.NopCloser(bytes.NewReader(in.RawBody))
		handler.ServeHTTP(w, r)
	}}, nil
}

// pupilOfWorkflow is the pupil a workflow id names (pathway/<pupil id>, and its children under
// it), so an operator's reading of a pupil's workflow shows in that pupil's audit trail.
func pupilOfWorkflow(workflowID string) string {
	rest, ok := strings.CutPrefix(workflowID, "pathway/")
	if !ok {
		return ""
	}
	id, _, _ := strings.Cut(rest, "/")
	if u, err := uuid.Parse(id); err == nil {
		return u.String()
	}
	return ""
}

// codecCORS lets the configured Temporal UI origin read the codec server's answers, refusals
// included, so the UI can say why a payload was not decoded.
func (s *Server) codecCORS(ctx huma.Context, next func(huma.Context)) {
	if s.CodecCORSOrigin != "" && strings.HasPrefix(ctx.Operation().OperationID, "codec-") &&
		ctx.Header("Origin") == s.CodecCORSOrigin {
		ctx.SetHeader("Access-Control-Allow-Origin", s.CodecCORSOrigin)
		ctx.SetHeader("Access-Control-Allow-Credentials", "true")
		ctx.AppendHeader("Vary", "Origin")
	}
	next(ctx)
}

func (s *Server) codecPreflight(w http.ResponseWriter, r *http.Request) {
	w.Header().Add("Vary", "Origin")
	if s.CodecCORSOrigin == "" || r.Header.Get("Origin") != s.CodecCORSOrigin {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(
			w,
			`{"title":"Forbidden","status":403,"detail":"This origin may not call the codec server (SENDFLOW_CODEC_CORS_ORIGIN)."}`,
		)
		return
	}
	w.Header().Set("Access-Control-Allow-Origin", s.CodecCORSOrigin)
	w.Header().Set("Access-Control-Allow-Credentials", "true")
	w.Header().Set("Access-Control-Allow-Methods", "POST")
	w.Header().Set("Access-Control-Allow-Headers", codecHeaders)
	w.Header().Set("Access-Control-Max-Age", "600")
	w.WriteHeader(http.StatusNoContent)
}
