// Package auth issues and verifies sendflow's local bearer tokens (dev, tests and `sendflow token`).
// Production staff sign in with their school's identity provider instead.
package auth

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

const issuer = "sendflow-local"

// Token lifetimes. A stolen token is useful only until it expires, so none lives long: a staff
// token (dev, `sendflow token`) at most MaxLifetime, a parent's session ParentSessionTTL.
const (
	MaxLifetime      = 30 * 24 * time.Hour
	ParentSessionTTL = 2 * time.Hour
	// clockSkew is how far another machine's clock may run ahead of ours.
	clockSkew = time.Minute
)

// ScopeParent marks a parent's session, made from an emailed sign-in link: it carries the parent
// role only, whatever else the person is (staff sign in through their school's identity
// provider, which an emailed link must not stand in for).
const ScopeParent = "parent"

// Claims identify the user a token speaks for.
type Claims struct {
	Email string `json:"email,omitempty"`
	Scope string `json:"scope,omitempty"`
	jwt.RegisteredClaims
}

// Issue signs a token for a user, valid for ttl (at most MaxLifetime).
func Issue(key []byte, userID, emailAddr string, ttl time.Duration, now time.Time) (string, error) {
	if ttl <= 0 || ttl > MaxLifetime {
		return "", fmt.Errorf("a token lives between a second and %s, not %s", MaxLifetime, ttl)
	}
	return sign(key, Claims{Email: emailAddr}, userID, ttl, now)
}

// IssueParentSession signs a parent's session: the parent role only, for ParentSessionTTL. It
// carries no email address: a token may end up in a log or a browser's history.
func IssueParentSession(key []byte, userID string, now time.Time) (string, error) {
	return sign(key, Claims{Scope: ScopeParent}, userID, ParentSessionTTL, now)
}

func sign(key []byte, c Claims, userID string, ttl time.Duration, now time.Time) (string, error) {
	c.RegisteredClaims = jwt.RegisteredClaims{Issuer: issuer, Subject: userID,
		IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(ttl))}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(key)
	if err != nil {
		return "", fmt.Errorf("sign token: %w", err)
	}
	return s, nil
}

// ErrInvalidToken covers every reason a token is refused; the reason is not shown to callers.
var ErrInvalidToken = errors.New("invalid or expired token")

// Verify checks the signature, issuer, times and subject and returns the claims: it must say
// when it was issued (not in the future), expire within its scope's lifetime, and name a user
// by id.
func Verify(key []byte, token string) (*Claims, error) {
	var c Claims
	_, err := jwt.ParseWithClaims(
		token,
		&c,
		func(t *jwt.Token) (any, error) { return key, nil },
		jwt.WithValidMethods(
			[]string{jwt.SigningMethodHS256.Alg()},
		),
		jwt.WithIssuer(issuer),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(clockSkew),
	)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidToken, err)
	}
	limit := MaxLifetime
	switch c.Scope {
	case "":
	case ScopeParent:
		limit = ParentSessionTTL
	default:
		return nil, fmt.Errorf("%w: unknown scope", ErrInvalidToken)
	}
	if err := lifetime(c.IssuedAt, c.ExpiresAt, limit); err != nil {
		return nil, err
	}
	if _, err := uuid.Parse(c.Subject); err != nil {
		return nil, fmt.Errorf("%w: the subject is not a user id", ErrInvalidToken)
	}
	return &c, nil
}

// lifetime refuses a token without an issue time or one that lives longer than limit.
func lifetime(iat, exp *jwt.NumericDate, limit time.Duration) error {
	if iat == nil {
		return fmt.Errorf("%w: no issue time", ErrInvalidToken)
	}
	if exp.Sub(iat.Time) > limit {
		return fmt.Errorf("%w: lives longer than %s", ErrInvalidToken, limit)
	}
	return nil
}

// LoadOrCreateKey returns the dev signing key kept in dataDir, creating it on first use so tokens
// printed by one `sendflow dev` run still work after a restart.
func LoadOrCreateKey(dataDir string) ([]byte, error) {
	k, err := LoadKey(dataDir)
	if !errors.Is(err, os.ErrNotExist) {
		return k, err
	}
	return createKey(dataDir)
}

// LoadKey reads the key `sendflow dev` keeps in its data dir; an error wrapping os.ErrNotExist
// says there is none (no dev has run there).
func LoadKey(dataDir string) ([]byte, error) {
	path := filepath.Join(dataDir, "signing.key")
	b, err := os.ReadFile(path)
	if err == nil {
		if k := strings.TrimSpace(string(b)); len(k) >= 32 {
			return []byte(k), nil
		}
		return nil, fmt.Errorf("signing key in %s is shorter than 32 characters; delete it to make a new one", path)
	}
	return nil, fmt.Errorf("read signing key: %w", err)
}

func createKey(dataDir string) ([]byte, error) {
	path := filepath.Join(dataDir, "signing.key")
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, fmt.Errorf("generate signing key: %w", err)
	}
	k := hex.EncodeToString(raw)
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	if err := os.WriteFile(path, []byte(k+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("write signing key: %w", err)
	}
	return []byte(k), nil
}
