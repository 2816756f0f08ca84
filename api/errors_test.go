package api

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"testing"

	"github.com/danielgtaylor/huma/v2"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/sendflow/sendflow/actions"
)

// A value PostgreSQL cannot take is the caller's fault (422), a unique value taken is 409; only
// a database that does not answer is 503.
func TestStoreErrorsAreMappedToWhoseFaultTheyAre(t *testing.T) {
	s := &Server{Deps: Deps{Logger: slog.New(slog.DiscardHandler)}}
	for _, c := range []struct {
		name string
		err  error
		want int
	}{
		{"not a uuid", fmt.Errorf("load pupil: %w", &pgconn.PgError{Code: "22P02"}), http.StatusUnprocessableEntity},
		{"too long for its column", &pgconn.PgError{Code: "22001"}, http.StatusUnprocessableEntity},
		{"a NUL in text", &actions.Unavailable{Cause: &pgconn.PgError{Code: "22021"}}, http.StatusUnprocessableEntity},
		{"refers to nothing", &pgconn.PgError{Code: "23503"}, http.StatusUnprocessableEntity},
		{"already taken", &pgconn.PgError{Code: "23505"}, http.StatusConflict},
		{"the database is away", errors.New("dial tcp: connection refused"), http.StatusServiceUnavailable},
	} {
		var se huma.StatusError
		if err := s.problem(c.err); !errors.As(err, &se) || se.GetStatus() != c.want {
			t.Errorf("%s: %v, want %d", c.name, err, c.want)
		}
		if err := s.unavailable(c.err); !errors.As(err, &se) || se.GetStatus() != c.want {
			t.Errorf("%s (unavailable): %v, want %d", c.name, err, c.want)
		}
	}
}
