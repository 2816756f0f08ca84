package auth

import (
	"github.com/golang-jwt/jwt/v5"

	"errors"
	"testing"
	"time"
)

func TestTokenRoundTripAndRefusals(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	now := time.Now()
	tok, err := Issue(key, "5c0f0000-0000-4000-8000-000000000101", "a@example.org", time.Hour, now)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Verify(key, tok)
	if err != nil || c.Subject != "5c0f0000-0000-4000-8000-000000000101" || c.Email != "a@example.org" {
		t.Fatalf("verify = %+v, %v", c, err)
	}
	expired, _ := Issue(key, "5c0f0000-0000-4000-8000-000000000101", "a@example.org", time.Hour, now.Add(-2*time.Hour))
	for name, bad := range map[string]string{
		"other key": func() string {
			s, _ := Issue([]byte("another-key-another-key-another-k"), "u", "e", time.Hour, now)
			return s
		}(),
		"expired":  expired,
		"tampered": tok[:len(tok)-2] + "xx",
		"garbage":  "not-a-token",
	} {
		if _, err := Verify(key, bad); !errors.Is(err, ErrInvalidToken) {
			t.Errorf("%s: err = %v, want ErrInvalidToken", name, err)
		}
	}
}

func TestDevKeyPersists(t *testing.T) {
	dir := t.TempDir()
	a, err := LoadOrCreateKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := LoadOrCreateKey(dir)
	if err != nil || string(a) != string(b) || len(a) < 32 {
		t.Fatalf("key changed or short: %q %q %v", a, b, err)
	}
}

// TestTokenHygiene: a token must say when it was issued, not be issued in the future, not live
// longer than MaxLifetime (a parent's session not longer than ParentSessionTTL), and name a user
// by id. Each is signed with the right key, so only these rules refuse them.
func TestTokenHygiene(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	now := time.Now()
	user := "5c0f0000-0000-4000-8000-000000000101"
	sign := func(c Claims) string {
		c.Issuer = LocalIssuer
		s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	at := func(t time.Time) *jwt.NumericDate { return jwt.NewNumericDate(t) }
	cases := []struct {
		name string
		tok  string
		ok   bool
	}{
		{
			"a staff token",
			sign(
				Claims{
					RegisteredClaims: jwt.RegisteredClaims{
						Subject:   user,
						IssuedAt:  at(now),
						ExpiresAt: at(now.Add(time.Hour)),
					},
				},
			),
			true,
		},
		{
			"the longest staff token",
			sign(
				Claims{
					RegisteredClaims: jwt.RegisteredClaims{
						Subject:   user,
						IssuedAt:  at(now),
						ExpiresAt: at(now.Add(MaxLifetime)),
					},
				},
			),
			true,
		},
		{
			"no iat",
			sign(Claims{RegisteredClaims: jwt.RegisteredClaims{Subject: user, ExpiresAt: at(now.Add(time.Hour))}}),
			false,
		},
		{
			"iat in the future",
			sign(
				Claims{
					RegisteredClaims: jwt.RegisteredClaims{
						Subject:   user,
						IssuedAt:  at(now.Add(time.Hour)),
						ExpiresAt: at(now.Add(2 * time.Hour)),
					},
				},
			),
			false,
		},
		{
			"lives too long",
			sign(
				Claims{
					RegisteredClaims: jwt.RegisteredClaims{
						Subject:   user,
						IssuedAt:  at(now),
						ExpiresAt: at(now.Add(MaxLifetime + time.Hour)),
					},
				},
			),
			false,
		},
		{
			"a parent session",
			sign(
				Claims{
					Scope: ScopeParent,
					RegisteredClaims: jwt.RegisteredClaims{
						Subject:   user,
						IssuedAt:  at(now),
						ExpiresAt: at(now.Add(ParentSessionTTL)),
					},
				},
			),
			true,
		},
		{
			"a parent session that lives too long",
			sign(
				Claims{
					Scope: ScopeParent,
					RegisteredClaims: jwt.RegisteredClaims{
						Subject:   user,
						IssuedAt:  at(now),
						ExpiresAt: at(now.Add(ParentSessionTTL + time.Minute)),
					},
				},
			),
			false,
		},
		{
			"an unknown scope",
			sign(
				Claims{
					Scope: "admin",
					RegisteredClaims: jwt.RegisteredClaims{
						Subject:   user,
						IssuedAt:  at(now),
						ExpiresAt: at(now.Add(time.Hour)),
					},
				},
			),
			false,
		},
		{
			"a subject that is not a user id",
			sign(
				Claims{
					RegisteredClaims: jwt.RegisteredClaims{
						Subject:   "' OR 1=1 --",
						IssuedAt:  at(now),
						ExpiresAt: at(now.Add(time.Hour)),
					},
				},
			),
			false,
		},
	}
	for _, c := range cases {
		_, err := Verify(key, c.tok)
		if c.ok && err != nil {
			t.Errorf("%s: refused: %v", c.name, err)
		}
		if !c.ok && !errors.Is(err, ErrInvalidToken) {
			t.Errorf("%s: err = %v, want ErrInvalidToken", c.name, err)
		}
	}
	if _, err := Issue(key, user, "a@example.org", MaxLifetime+time.Hour, now); err == nil {
		t.Error("Issue made a token that lives longer than MaxLifetime")
	}
	s, err := IssueParentSession(key, user, now)
	if err != nil {
		t.Fatal(err)
	}
	if c, err := Verify(key, s); err != nil || c.Scope != ScopeParent || c.Email != "" {
		t.Errorf("parent session = %+v, %v; want scope parent and no email in the token", c, err)
	}
}
