// Package devtemporal runs a real Temporal server inside the sendflow process, persisted to a
// SQLite file, for `sendflow dev` and for tests. Production uses an external cluster instead.
package devtemporal

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/membership/static"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/common/primitives"
	sqliteschema "go.temporal.io/server/schema/sqlite"
	"go.temporal.io/server/temporal"
)

// Options configure the embedded server.
type Options struct {
	// DatabaseFile is the SQLite file; state survives restarts. Empty means in-memory.
	DatabaseFile string
	// IP the services bind to (default 127.0.0.1).
	IP string
	// Port is the frontend gRPC port clients dial. The history, matching and worker services use
	// Port+1..Port+3 so that every port is predictable and two instances can run side by side.
	Port      int
	Namespace string
	Logger    *slog.Logger
}

// Server is a running embedded Temporal server.
type Server struct {
	srv      temporal.Server
	HostPort string
}

// PortsUsed reports every TCP port the server opens for a given frontend port, for documentation
// and for start-up checks.
func PortsUsed(port int) []int { return []int{port, port + 1, port + 2, port + 3} }

// Start creates the schema and namespace if needed, starts all four services and waits until the
// frontend answers.
func Start(ctx context.Context, o Options) (*Server, error) {
	if o.IP == "" {
		o.IP = "127.0.0.1"
	}
	if o.Port <= 0 || o.Port+3 > 65535 {
		return nil, fmt.Errorf("temporal port %d is out of range", o.Port)
	}
	if o.Namespace == "" {
		o.Namespace = "default"
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	for _, p := range PortsUsed(o.Port) {
		if err := checkFree(o.IP, p); err != nil {
			return nil, fmt.Errorf("embedded temporal needs ports %d-%d: %w", o.Port, o.Port+3, err)
		}
	}

	sqlConf := &config.SQL{PluginName: sqliteplugin.PluginName, ConnectAttributes: map[string]string{}}
	if o.DatabaseFile == "" {
		sqlConf.ConnectAttributes["mode"] = "memory"
		sqlConf.ConnectAttributes["cache"] = "shared"
		sqlConf.DatabaseName = fmt.Sprintf("sendflow-%d", time.Now().UnixNano())
	} else {
		sqlConf.ConnectAttributes["mode"] = "rwc"
		// WAL keeps the single file consistent across a crash and lets readers run beside the writer.
		sqlConf.ConnectAttributes["_journal_mode"] = "wal"
		sqlConf.DatabaseName = o.DatabaseFile
		if err := os.MkdirAll(filepath.Dir(o.DatabaseFile), 0o755); err != nil {
			return nil, fmt.Errorf("create temporal data dir: %w", err)
		}
		if _, err := os.Stat(o.DatabaseFile); errors.Is(err, os.ErrNotExist) {
			if err := sqliteschema.SetupSchema(sqlConf); err != nil {
				return nil, fmt.Errorf("create temporal schema in %s: %w", o.DatabaseFile, err)
			}
		}
	}
	if o.DatabaseFile == "" {
		if err := sqliteschema.SetupSchema(sqlConf); err != nil {
			return nil, fmt.Errorf("create in-memory temporal schema: %w", err)
		}
	}
	ns, err := sqliteschema.NewNamespaceConfig("active", o.Namespace, false, nil)
	if err != nil {
		return nil, fmt.Errorf("namespace config: %w", err)
	}
	if err := sqliteschema.CreateNamespaces(sqlConf, ns); err != nil {
		return nil, fmt.Errorf("register namespace %q: %w", o.Namespace, err)
	}

	addr := func(p int) string { return net.JoinHostPort(o.IP, fmt.Sprint(p)) }
	svc := func(p int) config.Service {
		return config.Service{RPC: config.RPC{GRPCPort: p, BindOnIP: o.IP}}
	}
	conf := &config.Config{}
	conf.Global.Membership = config.Membership{MaxJoinDuration: 30 * time.Second, BroadcastAddress: o.IP}
	conf.Persistence = config.Persistence{
		DefaultStore:     "sqlite",
		VisibilityStore:  "sqlite",
		NumHistoryShards: 1,
		DataStores:       map[string]config.DataStore{"sqlite": {SQL: sqlConf}},
	}
	conf.ClusterMetadata = &cluster.Config{
		FailoverVersionIncrement: 10,
		MasterClusterName:        "active",
		CurrentClusterName:       "active",
		ClusterInformation: map[string]cluster.ClusterInformation{
			"active": {Enabled: true, InitialFailoverVersion: 1, RPCAddress: addr(o.Port)},
		},
	}
	conf.DCRedirectionPolicy.Policy = "noop"
	conf.Services = map[string]config.Service{
		"frontend": svc(o.Port),
		"history":  svc(o.Port + 1),
		"matching": svc(o.Port + 2),
		"worker":   svc(o.Port + 3),
	}
	conf.Archival.History.State = "disabled"
	conf.Archival.Visibility.State = "disabled"
	conf.NamespaceDefaults.Archival.History.State = "disabled"
	conf.NamespaceDefaults.Archival.Visibility.State = "disabled"
	conf.PublicClient.HostPort = addr(o.Port)

	dyn := dynamicconfig.StaticClient{
		dynamicconfig.FrontendMaxNamespaceVisibilityRPSPerInstance.Key(): 100,
	}
	zl := log.BuildZapLogger(log.Config{Level: "error", Stdout: false})
	srv, err := temporal.NewServer(
		temporal.WithConfig(conf),
		temporal.ForServices(temporal.DefaultServices),
		temporal.WithStaticHosts(map[primitives.ServiceName]static.Hosts{
			primitives.FrontendService: static.SingleLocalHost(addr(o.Port)),
			primitives.HistoryService:  static.SingleLocalHost(addr(o.Port + 1)),
			primitives.MatchingService: static.SingleLocalHost(addr(o.Port + 2)),
			primitives.WorkerService:   static.SingleLocalHost(addr(o.Port + 3)),
		}),
		temporal.WithLogger(log.NewZapLogger(zl)),
		temporal.WithDynamicConfigClient(dyn),
	)
	if err != nil {
		return nil, fmt.Errorf("build temporal server: %w", err)
	}
	if err := srv.Start(); err != nil {
		return nil, fmt.Errorf("start temporal server: %w", err)
	}
	s := &Server{srv: srv, HostPort: addr(o.Port)}
	if err := s.waitReady(ctx, o.Namespace); err != nil {
		_ = srv.Stop()
		return nil, err
	}
	o.Logger.Info(
		"embedded temporal server started",
		"address",
		s.HostPort,
		"namespace",
		o.Namespace,
		"file",
		o.DatabaseFile,
	)
	return s, nil
}

// waitReady dials the frontend until the namespace answers, so callers never see a half-started server.
func (s *Server) waitReady(ctx context.Context, namespace string) error {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	var lastErr error
	for {
		c, err := client.Dial(client.Options{HostPort: s.HostPort, Namespace: namespace, Logger: quietLogger()})
		if err == nil {
			_, err = c.CheckHealth(ctx, &client.CheckHealthRequest{})
			if err == nil {
				_, err = c.WorkflowService().DescribeNamespace(ctx, describeNamespace(namespace))
			}
			c.Close()
			if err == nil {
				return nil
			}
		}
		lastErr = err
		select {
		case <-ctx.Done():
			return fmt.Errorf("embedded temporal server did not become ready: %w", lastErr)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// Stop shuts the services down.
func (s *Server) Stop() error {
	if err := s.srv.Stop(); err != nil {
		return fmt.Errorf("stop temporal server: %w", err)
	}
	return nil
}

func checkFree(ip string, port int) error {
	l, err := net.Listen("tcp", net.JoinHostPort(ip, fmt.Sprint(port)))
	if err != nil {
		return fmt.Errorf("port %d is in use: %w", port, err)
	}
	return l.Close()
}
