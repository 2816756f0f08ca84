package app

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sendflow/sendflow/internal/config"
	"github.com/sendflow/sendflow/internal/refdata"
	"github.com/sendflow/sendflow/internal/store"
	"github.com/sendflow/sendflow/migrations"
)

// OpenDatabase connects with a pool of at most maxConns and, when asked, applies pending
// migrations and loads the reference data files (OAG catalogues, agency directories) the
// configuration names.
func OpenDatabase(
	ctx context.Context,
	cfg *config.Config,
	url string,
	migrate bool,
	maxConns int,
	logger *slog.Logger,
) (*pgxpool.Pool, error) {
	pool, err := store.Connect(ctx, url, maxConns)
	if err != nil {
		return nil, err
	}
	if migrate {
		if err := migrations.Up(ctx, pool, logger); err != nil {
			pool.Close()
			return nil, err
		}
	}
	if err := refdata.LoadFiles(ctx, pool, cfg.OAGFiles, cfg.DirectoryFiles); err != nil {
		pool.Close()
		return nil, fmt.Errorf("load reference data (SENDFLOW_OAG_FILES, SENDFLOW_DIRECTORY_FILES): %w", err)
	}
	return pool, nil
}
