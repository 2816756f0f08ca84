package auth

import (
	"testing"
	"time"
)

// FuzzVerify: no bearer token makes the verifiers panic, and only what this key signed, with a
// user id, an issue time and a lifetime within the limits, is accepted.
func FuzzVerify(f *testing.F) {
	key := []byte("0123456789abcdef0123456789abcdef")
	now := time.Now()
	good, _ := Issue(key, "5c0f0000-0000-4000-8000-000000000101", "a@example.org", time.Hour, now)
	session, _ := IssueParentSession(key, "5c0f0000-0000-4000-8000-000000000201", now)
	for _, seed := range []string{good, session, "", "a.b.c", "eyJhbGciOiJub25lIn0.eyJpc3MiOiJzZW5kZmxvdy1sb2NhbCJ9.",
		good[:len(good)-3], "Bearer " + good, good + ".x"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, token string) {
		_, _ = IssuerOf(token)
		c, err := Verify(key, token)
		if err != nil {
			return
		}
		if c.Subject == "" || c.IssuedAt == nil || c.ExpiresAt == nil ||
			c.ExpiresAt.Sub(c.IssuedAt.Time) > MaxLifetime {
			t.Fatalf("accepted %+v", c)
		}
		if token != good && token != session {
			// A different string that verifies must still be this key's signature over the same
			// claims (JWT segments may be re-encoded); its claims must be one of ours.
			if c.Subject != "5c0f0000-0000-4000-8000-000000000101" &&
				c.Subject != "5c0f0000-0000-4000-8000-000000000201" {
				t.Fatalf("accepted a token this key did not sign: %q", token)
			}
		}
	})
}
