package auth

import (
	"errors"
	"testing"
	"time"
)

func TestTokenRoundTripAndRefusals(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	now := time.Now()
	tok, err := Issue(key, "user-1", "a@example.org", time.Hour, now)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Verify(key, tok)
	if err != nil || c.Subject != "user-1" || c.Email != "a@example.org" {
		t.Fatalf("verify = %+v, %v", c, err)
	}
	expired, _ := Issue(key, "user-1", "a@example.org", time.Hour, now.Add(-2*time.Hour))
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
