// Package migrations holds sendflow's SQL schema, embedded in the binary and applied with goose.
package migrations

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed *.sql
var files embed.FS

// Up applies every pending migration. goose takes a Postgres advisory lock, so several replicas
// starting together migrate once.
func Up(ctx context.Context, pool *pgxpool.Pool, logger *slog.Logger) error {
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	return up(ctx, db, logger)
}

func up(ctx context.Context, db *sql.DB, logger *slog.Logger) error {
	// Out of order is allowed because migrations are numbered when work starts and land in
	// the order work finishes: a database that already has 00017 still gets 00012 when it lands.
	// Each migration is written to apply on any later schema.
	p, err := goose.NewProvider(goose.DialectPostgres, db, files,
		goose.WithSessionLocker(mustLocker()), goose.WithAllowOutofOrder(true))
	if err != nil {
		return fmt.Errorf("prepare migrations: %w", err)
	}
	results, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("apply migrations: %w", err)
	}
	for _, r := range results {
		logger.Info("migration applied", "version", r.Source.Version, "file", r.Source.Path, "took", r.Duration)
	}
	return nil
}

func mustLocker() lock.SessionLocker {
	l, err := lock.NewPostgresSessionLocker()
	if err != nil {
		panic(fmt.Sprintf("goose postgres locker: %v", err)) // only fails on invalid static options
	}
	return l
}
