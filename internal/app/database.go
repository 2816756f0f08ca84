package app

import (
	"context"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sendflow/sendflow/internal/store"
	"github.com/sendflow/sendflow/migrations"
)

// OpenDatabase connects and, when asked, applies pending migrations.
func OpenDatabase(ctx context.Context, url string, migrate bool, logger *slog.Logger) (*pgxpool.Pool, error) {
	pool, err := store.Connect(ctx, url)
	if err != nil {
		return nil, err
	}
	if migrate {
		if err := migrations.Up(ctx, pool, logger); err != nil {
			pool.Close()
			return nil, err
		}
	}
	return pool, nil
}
