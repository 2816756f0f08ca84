// Package app assembles sendflow's roles (API, worker, dev stack) from configuration. cmd/sendflow
// only parses arguments and calls it; tests start the same stack the same way.
package app

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"os"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"

	"github.com/sendflow/sendflow/internal/config"
	"github.com/sendflow/sendflow/internal/payloadcrypt"
	"github.com/sendflow/sendflow/internal/telemetry"
)

// DialTemporal connects to the Temporal frontend named by the configuration. tel (nil for none)
// gives the client, and every worker made from it, the SDK's metrics and sendflow's interceptors.
func DialTemporal(
	ctx context.Context,
	cfg *config.Config,
	addr string,
	logger *slog.Logger,
	tel *telemetry.Telemetry,
) (client.Client, error) {
	codec, err := PayloadCodec(cfg)
	if err != nil {
		return nil, err
	}
	interceptors, err := tel.TemporalInterceptors(logger)
	if err != nil {
		return nil, err
	}
	// Every payload is encrypted before it leaves the process; failure messages and stack traces
	// travel as encrypted payloads too.
	dc := converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), codec)
	opts := client.Options{
		HostPort:      addr,
		Namespace:     cfg.TemporalNamespace,
		DataConverter: dc,
		FailureConverter: temporal.NewDefaultFailureConverter(temporal.DefaultFailureConverterOptions{
			DataConverter: dc, EncodeCommonAttributes: true,
		}),
		// The SDK logs every poll at info; sendflow shows its warnings and errors (and counts the
		// workflow task failures among them).
		Logger: sdklog.NewStructuredLogger(
			slog.New(tel.ObserveSDKLog(levelFloor{logger.Handler(), slog.LevelWarn})),
		),
		MetricsHandler: tel.TemporalMetrics(),
		Interceptors:   interceptors,
	}
	if opts.ConnectionOptions.TLS, err = temporalTLS(cfg); err != nil {
		return nil, err
	}
	c, err := client.DialContext(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf(
			"connect to Temporal at %s (TEMPORAL_ADDRESS), namespace %q: %w",
			addr,
			cfg.TemporalNamespace,
			err,
		)
	}
	return c, nil
}

// temporalTLS is the TLS configuration for Temporal (nil: plain gRPC).
func temporalTLS(cfg *config.Config) (*tls.Config, error) {
	if !(cfg.TemporalTLS || cfg.TemporalTLSCert != "" || cfg.TemporalTLSCA != "") {
		return nil, nil
	}
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if cfg.TemporalTLSCert != "" {
		cert, err := tls.LoadX509KeyPair(cfg.TemporalTLSCert, cfg.TemporalTLSKey)
		if err != nil {
			return nil, &config.Error{
				Env:     "SENDFLOW_TEMPORAL_TLS_CERT",
				Flag:    "temporal-tls-cert",
				Problem: err.Error(),
			}
		}
		tc.Certificates = []tls.Certificate{cert}
	}
	if cfg.TemporalTLSCA != "" {
		pem, err := os.ReadFile(cfg.TemporalTLSCA)
		if err != nil {
			return nil, fmt.Errorf("read SENDFLOW_TEMPORAL_TLS_CA: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, &config.Error{
				Env:     "SENDFLOW_TEMPORAL_TLS_CA",
				Flag:    "temporal-tls-ca",
				Problem: "no PEM certificates found",
			}
		}
		tc.RootCAs = pool
	}
	return tc, nil
}

// PayloadCodec is the codec that encrypts workflow payloads with the configured keys.
func PayloadCodec(cfg *config.Config) (*payloadcrypt.Codec, error) {
	if cfg.PayloadKey == "" {
		return nil, &config.Error{
			Env:     "SENDFLOW_PAYLOAD_KEY",
			Flag:    "payload-key",
			Problem: "is required: workflow payloads are encrypted before they reach Temporal",
		}
	}
	current, err := payloadcrypt.ParseKey(cfg.PayloadKey)
	if err != nil {
		return nil, &config.Error{Env: "SENDFLOW_PAYLOAD_KEY", Flag: "payload-key", Problem: err.Error()}
	}
	var old [][]byte
	for _, k := range cfg.OldPayloadKeys() {
		b, err := payloadcrypt.ParseKey(k)
		if err != nil {
			return nil, &config.Error{Env: "SENDFLOW_PAYLOAD_OLD_KEYS", Flag: "payload-old-keys", Problem: err.Error()}
		}
		old = append(old, b)
	}
	return payloadcrypt.New(current, old...)
}

// levelFloor drops records below a level, whatever the wrapped handler would accept.
type levelFloor struct {
	slog.Handler
	min slog.Level
}

func (h levelFloor) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}
func (h levelFloor) WithAttrs(a []slog.Attr) slog.Handler {
	return levelFloor{h.Handler.WithAttrs(a), h.min}
}
func (h levelFloor) WithGroup(n string) slog.Handler {
	return levelFloor{h.Handler.WithGroup(n), h.min}
}
