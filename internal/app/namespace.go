package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/sendflow/sendflow/internal/config"
)

// EnsureNamespace registers the namespace sendflow uses on the Temporal server if it is missing,
// retrying until the server answers or ctx ends: a server that is still starting (or restarting)
// is the usual case when this runs. retention is how long Temporal keeps a closed workflow's
// history.
func EnsureNamespace(
	ctx context.Context,
	cfg *config.Config,
	retention time.Duration,
	logger *slog.Logger,
	out io.Writer,
) error {
	if err := cfg.Require("TEMPORAL_ADDRESS"); err != nil {
		return err
	}
	tlsCfg, err := temporalTLS(cfg)
	if err != nil {
		return err
	}
	opts := client.Options{
		HostPort:          cfg.TemporalAddress,
		ConnectionOptions: client.ConnectionOptions{TLS: tlsCfg},
		Logger:            sdklog.NewStructuredLogger(slog.New(levelFloor{logger.Handler(), slog.LevelError})),
	}
	var last error
	for wait := time.Second; ; wait = min(2*wait, 10*time.Second) {
		last = registerNamespace(ctx, opts, cfg.TemporalNamespace, retention, out)
		if last == nil {
			return nil
		}
		logger.Info(
			"Temporal is not answering yet; trying again",
			"address",
			cfg.TemporalAddress,
			"in",
			wait,
			"error",
			last,
		)
		select {
		case <-ctx.Done():
			return fmt.Errorf(
				"register namespace %q on Temporal at %s (TEMPORAL_ADDRESS): %w",
				cfg.TemporalNamespace,
				cfg.TemporalAddress,
				last,
			)
		case <-time.After(wait):
		}
	}
}

func registerNamespace(
	ctx context.Context,
	opts client.Options,
	namespace string,
	retention time.Duration,
	out io.Writer,
) error {
	actx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	nc, err := client.NewNamespaceClient(opts)
	if err != nil {
		return err
	}
	defer nc.Close()
	if _, err := nc.Describe(actx, namespace); err == nil {
		fmt.Fprintf(out, "namespace %s: already there\n", namespace)
		return nil
	} else if !errors.As(err, new(*serviceerror.NamespaceNotFound)) {
		return err
	}
	err = nc.Register(actx, &workflowservice.RegisterNamespaceRequest{
		Namespace:                        namespace,
		Description:                      "sendflow: one pathway workflow per pupil",
		WorkflowExecutionRetentionPeriod: durationpb.New(retention),
	})
	if errors.As(err, new(*serviceerror.NamespaceAlreadyExists)) {
		fmt.Fprintf(out, "namespace %s: already there\n", namespace)
		return nil
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "namespace %s: created (closed workflows kept %s)\n", namespace, retention)
	return servedSoon(ctx, opts, namespace)
}

// servedSoon waits until the frontend serves the new namespace: Temporal's services learn of it
// on their next refresh (about 10 s), and until then every action is answered "namespace not
// found", so serve and worker started straight after would begin by failing.
func servedSoon(ctx context.Context, opts client.Options, namespace string) error {
	opts.Namespace = namespace
	c, err := client.Dial(opts)
	if err != nil {
		return err
	}
	defer c.Close()
	for {
		_, err := c.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Namespace: namespace})
		if err == nil {
			return nil
		}
		if !errors.As(err, new(*serviceerror.NamespaceNotFound)) {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("namespace %s was created but Temporal does not serve it yet: %w", namespace, ctx.Err())
		case <-time.After(time.Second):
		}
	}
}
