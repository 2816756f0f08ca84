package staffweb

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net/url"
	"time"

	"github.com/alexedwards/scs/pgxstore"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Session keys.
const (
	keyUser     = "user"      // the signed-in user's id
	keySignedIn = "signed_in" // when they signed in (Unix seconds)
	keyFlash    = "flash"     // what the last action did, shown once
	// A sign-in under way: the state, nonce and PKCE verifier sent to the provider, and the page
	// to return to.
	keyState    = "oidc_state"
	keyNonce    = "oidc_nonce"
	keyVerifier = "oidc_verifier"
	keyNext     = "oidc_next"
	// A form sent after the session ended, kept to be offered again after signing in.
	keyDraft     = "draft"
	keyDraftPath = "draft_path"
)

// sessionStore keeps sessions in PostgreSQL (pgxstore) under a hash of their token: a copy of
// the table signs nobody in.
type sessionStore struct {
	pg *pgxstore.PostgresStore
}

func newSessionStore(db *pgxpool.Pool, _ *slog.Logger) *sessionStore {
	return &sessionStore{pg: pgxstore.NewWithCleanupInterval(db, 5*time.Minute)}
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func (s *sessionStore) Find(token string) ([]byte, bool, error) { return s.pg.Find(hashToken(token)) }

func (s *sessionStore) Commit(token string, b []byte, expiry time.Time) error {
	return s.pg.Commit(hashToken(token), b, expiry)
}

func (s *sessionStore) Delete(token string) error { return s.pg.Delete(hashToken(token)) }

func (s *sessionStore) close() { s.pg.StopCleanup() }

// takeDraft returns what a form held when it was sent after its session ended, if it was this
// page's, and forgets it.
func (h *Handler) takeDraft(ctx context.Context, path string) url.Values {
	if h.sessions.GetString(ctx, keyDraftPath) != path {
		return nil
	}
	raw := h.sessions.PopString(ctx, keyDraft)
	h.sessions.Remove(ctx, keyDraftPath)
	v, err := url.ParseQuery(raw)
	if err != nil {
		return nil
	}
	return v
}
