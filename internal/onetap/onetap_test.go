package onetap_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sendflow/sendflow/internal/onetap"
)

var (
	key1 = []byte("0123456789abcdef0123456789abcdef")
	key2 = []byte("fedcba9876543210fedcba9876543210")
	now  = time.Date(2025, time.July, 1, 12, 0, 0, 0, time.UTC)
)

func signer(t *testing.T, key []byte) *onetap.Signer {
	t.Helper()
	s, err := onetap.NewSigner(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func claim() onetap.Claim {
	return onetap.Claim{
		Action:  onetap.ActionMeetingResponse,
		Parent:  "3f2b8c1e-7a4d-4e2f-9b6a-1c2d3e4f5a6b",
		Pupil:   "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
		Ref:     "5b0f7c52-3c1e-4d0a-9f0e-0d6c3a1e2b44",
		Expires: now.Add(14 * 24 * time.Hour),
	}
}

func TestRoundTrip(t *testing.T) {
	s := signer(t, key1)
	c := claim()
	c.Expires = c.Expires.Add(123 * time.Millisecond).In(time.FixedZone("BST", 3600))
	tok, err := s.Sign(c)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Verify(tok, now)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if got.Action != c.Action || got.Parent != c.Parent || got.Pupil != c.Pupil || got.Ref != c.Ref {
		t.Errorf("claim changed: got %+v, want %+v", got, c)
	}
	if !got.Expires.Equal(c.Expires.Truncate(time.Second)) {
		t.Errorf("Expires = %v, want %v (to the second)", got.Expires, c.Expires.Truncate(time.Second))
	}
	if len(got.Nonce) != 22 {
		t.Errorf("generated nonce %q, want 22 base64url characters", got.Nonce)
	}

	// A caller-chosen nonce is kept; an empty Ref is allowed.
	c = claim()
	c.Nonce, c.Ref = "my-nonce", ""
	c.Action = onetap.ActionViewPlan
	tok, err = s.Sign(c)
	if err != nil {
		t.Fatal(err)
	}
	got, err = s.Verify(tok, now)
	if err != nil || got.Nonce != "my-nonce" || got.Ref != "" || got.Action != onetap.ActionViewPlan {
		t.Fatalf("Verify = %+v, %v", got, err)
	}

	// Non-ASCII ids survive.
	c = claim()
	c.Ref = "cycle/ŵyr-łódź"
	tok, _ = s.Sign(c)
	if got, err := s.Verify(tok, now); err != nil || got.Ref != c.Ref {
		t.Fatalf("Verify = %+v, %v", got, err)
	}
}

func TestTokenFormat(t *testing.T) {
	s := signer(t, key1)
	c := claim()
	c.Nonce = "n1"
	tok, err := s.Sign(c)
	if err != nil {
		t.Fatal(err)
	}
	p64, m64, ok := strings.Cut(tok, ".")
	if !ok {
		t.Fatalf("no dot in %q", tok)
	}
	payload, err := base64.RawURLEncoding.DecodeString(p64)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"a":"meeting-response","p":"3f2b8c1e-7a4d-4e2f-9b6a-1c2d3e4f5a6b",` +
		`"u":"9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d","r":"5b0f7c52-3c1e-4d0a-9f0e-0d6c3a1e2b44",` +
		`"e":1752580800,"n":"n1"}`
	if string(payload) != want {
		t.Errorf("payload\n got %s\nwant %s", payload, want)
	}
	m := hmac.New(sha256.New, key1)
	m.Write([]byte("sendflow-onetap-v1"))
	m.Write(payload)
	if m64 != base64.RawURLEncoding.EncodeToString(m.Sum(nil)) {
		t.Errorf("MAC is not HMAC-SHA256(key, \"sendflow-onetap-v1\" || payload)")
	}
	for _, r := range tok {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			t.Fatalf("token has a character that is not URL-safe: %q", r)
		}
	}
}

func TestTokenLengthForEmailLinks(t *testing.T) {
	s := signer(t, key1)
	for _, a := range []string{onetap.ActionMeetingResponse, onetap.ActionReviewViews, onetap.ActionConsent, onetap.ActionViewPlan} {
		c := claim()
		c.Action = a
		c.Expires = time.Date(2099, 12, 31, 23, 59, 59, 0, time.UTC)
		tok, err := s.Sign(c)
		if err != nil {
			t.Fatal(err)
		}
		if len(tok) >= 400 {
			t.Errorf("%s: token is %d characters, want < 400", a, len(tok))
		}
		t.Logf("%s: %d characters", a, len(tok))
	}
}

// Every change to any byte of the token — each bit of each character of the
// payload, the dot and the MAC — is refused as tampered, even for a token
// that has also expired.
func TestEveryByteFlipIsTampered(t *testing.T) {
	s := signer(t, key1)
	tok, err := s.Sign(claim())
	if err != nil {
		t.Fatal(err)
	}
	for _, at := range []time.Time{now, claim().Expires.Add(time.Hour)} {
		for i := 0; i < len(tok); i++ {
			for bit := 0; bit < 8; bit++ {
				b := []byte(tok)
				b[i] ^= 1 << bit
				got, err := s.Verify(string(b), at)
				if !errors.Is(err, onetap.ErrTampered) {
					t.Fatalf("byte %d bit %d flipped (%q): err = %v, want ErrTampered", i, bit, b[i], err)
				}
				if got != (onetap.Claim{}) {
					t.Fatalf("byte %d bit %d flipped: a claim was returned: %+v", i, bit, got)
				}
			}
		}
	}

	// The same on the decoded bytes: flip each bit of the payload and of the
	// MAC, re-encode properly and verify.
	p64, m64, _ := strings.Cut(tok, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(p64)
	mac, _ := base64.RawURLEncoding.DecodeString(m64)
	enc := base64.RawURLEncoding.EncodeToString
	for _, part := range []struct {
		name string
		b    []byte
		tok  func([]byte) string
	}{
		{"payload", payload, func(p []byte) string { return enc(p) + "." + m64 }},
		{"MAC", mac, func(m []byte) string { return p64 + "." + enc(m) }},
	} {
		for i := range part.b {
			for bit := 0; bit < 8; bit++ {
				b := bytes.Clone(part.b)
				b[i] ^= 1 << bit
				if _, err := s.Verify(part.tok(b), now); !errors.Is(err, onetap.ErrTampered) {
					t.Fatalf("%s byte %d bit %d: err = %v, want ErrTampered", part.name, i, bit, err)
				}
			}
		}
	}
}

func TestMalformedTokens(t *testing.T) {
	s := signer(t, key1)
	tok, _ := s.Sign(claim())
	p64, m64, _ := strings.Cut(tok, ".")
	for name, bad := range map[string]string{
		"empty":         "",
		"no dot":        p64 + m64,
		"two dots":      tok + ".x",
		"empty payload": "." + m64,
		"empty MAC":     p64 + ".",
		"truncated MAC": tok[:len(tok)-1],
		"short MAC":     p64 + "." + m64[:20],
		"padded":        p64 + "." + m64 + "=",
		"std alphabet":  strings.NewReplacer("-", "+", "_", "/").Replace(tok) + "+/",
		"whitespace":    " " + tok,
		"swapped":       m64 + "." + p64,
		"huge":          strings.Repeat("A", 10000) + "." + m64,
		"alg none":      p64 + ".",
		"unsigned json": base64.RawURLEncoding.EncodeToString([]byte(`{"a":"consent","p":"x","u":"y","e":9999999999,"n":"z"}`)) + "." + m64,
	} {
		if _, err := s.Verify(bad, now); !errors.Is(err, onetap.ErrTampered) {
			t.Errorf("%s: err = %v, want ErrTampered", name, err)
		}
	}
}

func TestOtherKeyIsTampered(t *testing.T) {
	tok, err := signer(t, key1).Sign(claim())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := signer(t, key2).Verify(tok, now); !errors.Is(err, onetap.ErrTampered) {
		t.Fatalf("err = %v, want ErrTampered", err)
	}
	// A key that only extends the first is still another key.
	if _, err := signer(t, append(bytes.Clone(key1), 'x')).Verify(tok, now); !errors.Is(err, onetap.ErrTampered) {
		t.Fatalf("err = %v, want ErrTampered", err)
	}
}

func TestExpiry(t *testing.T) {
	s := signer(t, key1)
	c := claim()
	c.Expires = now.Add(time.Hour)
	tok, _ := s.Sign(c)

	if _, err := s.Verify(tok, now.Add(time.Hour-time.Second)); err != nil {
		t.Fatalf("a second before expiry: %v", err)
	}
	for _, at := range []time.Time{now.Add(time.Hour), now.Add(time.Hour + time.Second), now.AddDate(1, 0, 0)} {
		got, err := s.Verify(tok, at)
		if !errors.Is(err, onetap.ErrExpired) {
			t.Fatalf("at %v: err = %v, want ErrExpired", at, err)
		}
		if errors.Is(err, onetap.ErrTampered) {
			t.Fatalf("expired reported as tampered")
		}
		// The authentic claim comes back so the page can offer a fresh link.
		if got.Parent != c.Parent || got.Action != c.Action {
			t.Fatalf("expired claim not returned: %+v", got)
		}
	}

	// Tampered wins over expired: an expired token with a bad MAC, or signed
	// with another key, is tampered.
	late := now.Add(2 * time.Hour)
	if _, err := s.Verify(tok[:len(tok)-2]+"AA", late); !errors.Is(err, onetap.ErrTampered) {
		t.Fatalf("expired+bad MAC: err = %v, want ErrTampered", err)
	}
	if _, err := signer(t, key2).Verify(tok, late); !errors.Is(err, onetap.ErrTampered) {
		t.Fatalf("expired+other key: err = %v, want ErrTampered", err)
	}
	// Changing the expiry in the payload does not extend the link.
	p64, m64, _ := strings.Cut(tok, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(p64)
	extended := bytes.Replace(payload, []byte(`"e":1751374800`), []byte(`"e":4102444800`), 1)
	if bytes.Equal(extended, payload) {
		t.Fatalf("test payload has no expected expiry: %s", payload)
	}
	if _, err := s.Verify(base64.RawURLEncoding.EncodeToString(extended)+"."+m64, late); !errors.Is(
		err,
		onetap.ErrTampered,
	) {
		t.Fatalf("extended expiry: err = %v, want ErrTampered", err)
	}
}

func TestSignRefusesIncompleteClaims(t *testing.T) {
	s := signer(t, key1)
	cases := map[string]struct {
		mutate func(*onetap.Claim)
		want   string
	}{
		"no action":     {func(c *onetap.Claim) { c.Action = "" }, "Action is required"},
		"blank action":  {func(c *onetap.Claim) { c.Action = "  " }, "Action is required"},
		"no parent":     {func(c *onetap.Claim) { c.Parent = "" }, "Parent is required"},
		"no pupil":      {func(c *onetap.Claim) { c.Pupil = "" }, "Pupil is required"},
		"no expiry":     {func(c *onetap.Claim) { c.Expires = time.Time{} }, "Expires is required"},
		"long ref":      {func(c *onetap.Claim) { c.Ref = strings.Repeat("r", 129) }, "Ref is longer than 128 bytes"},
		"control chars": {func(c *onetap.Claim) { c.Parent = "a\nb" }, "Parent must be valid UTF-8"},
		"invalid UTF-8": {func(c *onetap.Claim) { c.Pupil = "\xff" }, "Pupil must be valid UTF-8"},
		"all of them": {func(c *onetap.Claim) { *c = onetap.Claim{} },
			"Action is required; Parent is required; Pupil is required; Expires is required"},
	}
	for name, tc := range cases {
		c := claim()
		tc.mutate(&c)
		tok, err := s.Sign(c)
		if err == nil {
			t.Errorf("%s: signed %q", name, tok)
			continue
		}
		if tok != "" || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: token %q, err %v; want error mentioning %q", name, tok, err, tc.want)
		}
	}
}

func TestNewSignerKeyLength(t *testing.T) {
	if _, err := onetap.NewSigner(make([]byte, 31)); err == nil {
		t.Error("31-byte key accepted")
	}
	if _, err := onetap.NewSigner(nil); err == nil {
		t.Error("nil key accepted")
	}
	// The key is copied: changing the caller's slice changes nothing.
	k := bytes.Clone(key1)
	s := signer(t, k)
	tok, _ := s.Sign(claim())
	k[0] ^= 1
	if _, err := s.Verify(tok, now); err != nil {
		t.Errorf("signer affected by caller's key slice: %v", err)
	}
}

func TestNoncesAreRandom(t *testing.T) {
	s := signer(t, key1)
	seen := map[string]bool{}
	for range 1000 {
		tok, err := s.Sign(claim())
		if err != nil {
			t.Fatal(err)
		}
		c, err := s.Verify(tok, now)
		if err != nil {
			t.Fatal(err)
		}
		if seen[c.Nonce] {
			t.Fatalf("nonce %q repeated", c.Nonce)
		}
		seen[c.Nonce] = true
	}
}

func TestVerifyAction(t *testing.T) {
	s := signer(t, key1)
	tok, _ := s.Sign(claim()) // meeting-response
	if _, err := s.VerifyAction(tok, onetap.ActionMeetingResponse, now); err != nil {
		t.Fatalf("right action: %v", err)
	}
	if c, err := s.VerifyAction(tok, onetap.ActionConsent, now); !errors.Is(err, onetap.ErrWrongAction) ||
		c != (onetap.Claim{}) {
		t.Fatalf("wrong action: %+v, %v", c, err)
	}
	if _, err := s.VerifyAction(tok, onetap.ActionMeetingResponse, claim().Expires); !errors.Is(
		err,
		onetap.ErrExpired,
	) {
		t.Fatalf("expired: %v", err)
	}
	if _, err := s.VerifyAction("x"+tok, onetap.ActionMeetingResponse, now); !errors.Is(err, onetap.ErrTampered) {
		t.Fatalf("tampered: %v", err)
	}
}

func TestConcurrentUse(t *testing.T) {
	s := signer(t, key1)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 200 {
				tok, err := s.Sign(claim())
				if err != nil {
					t.Error(err)
					return
				}
				if _, err := s.Verify(tok, now); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
}
