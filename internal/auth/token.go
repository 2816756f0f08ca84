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
)

const issuer = "sendflow-local"

// Claims identify the user a token speaks for.
type Claims struct {
	Email string `json:"email"`
	jwt.RegisteredClaims
}

// Issue signs a token for a user, valid for ttl.
func Issue(key []byte, userID, emailAddr string, ttl time.Duration, now time.Time) (string, error) {
	c := Claims{Email: emailAddr, RegisteredClaims: jwt.RegisteredClaims{
		Issuer: issuer, Subject: userID,
		IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
	}}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(key)
	if err != nil {
		return "", fmt.Errorf("sign token: %w", err)
	}
	return s, nil
}

// ErrInvalidToken covers every reason a token is refused; the reason is not shown to callers.
var ErrInvalidToken = errors.New("invalid or expired token")

// Verify checks the signature, issuer and expiry and returns the claims.
func Verify(key []byte, token string) (*Claims, error) {
	var c Claims
	_, err := jwt.ParseWithClaims(token, &c, func(t *jwt.Token) (any, error) { return key, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}), jwt.WithIssuer(issuer), jwt.WithExpirationRequired())
	if err != nil || c.Subject == "" {
		return nil, fmt.Errorf("%w: %v", ErrInvalidToken, err)
	}
	return &c, nil
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
