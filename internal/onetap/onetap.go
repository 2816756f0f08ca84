// Package onetap makes and checks the signed, single-purpose, expiring links
// that let a parent answer from an email without an account.
//
// A token is
//
//	base64url(payload) "." base64url(HMAC-SHA256(key, "sendflow-onetap-v1" || payload))
//
// (unpadded base64url, so it can go in a URL path or query unescaped), where
// payload is the compact JSON of the Claim with short keys. The token is
// signed, not encrypted: the parent, pupil and reference ids in it are
// readable by whoever holds the link, so only opaque ids belong in a Claim.
//
// Verify proves a token was made with the key and has not expired. Making a
// link single-use is the server's job: record Claim.Nonce when the link is
// used and refuse a nonce seen before. Check Claim.Action too (VerifyAction
// does), so a link made for one purpose cannot be used for another.
package onetap

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Actions used by sendflow's parent pages.
const (
	ActionMeetingResponse = "meeting-response"
	ActionReviewViews     = "review-views"
	ActionConsent         = "consent"
	ActionViewPlan        = "view-plan"
	// ActionHome is a parent's home page after signing in: all their children (Pupil is
	// AllChildren), for a couple of hours.
	ActionHome = "parent-home"
)

// AllChildren is the Pupil of a claim about every child of the parent.
const AllChildren = "*"

// Claim is what a link allows: one action, by one parent, about one pupil and
// one meeting / referral / cycle, until Expires.
type Claim struct {
	Action  string    // e.g. "meeting-response", "review-views", "consent", "view-plan"
	Parent  string    // parent user id
	Pupil   string    // pupil id
	Ref     string    // the meeting / referral / cycle it is about; may be empty
	Expires time.Time // kept to the second
	Nonce   string    // random; lets the server make a link single-use
}

var (
	// ErrTampered means the token is malformed or was not signed with this
	// key (altered, truncated, made up or signed with another key).
	ErrTampered = errors.New("onetap: link is invalid")
	// ErrExpired means the token is authentic but its time has passed.
	ErrExpired = errors.New("onetap: link has expired")
	// ErrWrongAction means the token is authentic but for another action.
	ErrWrongAction = errors.New("onetap: link is for another action")
)

// MinKeyLen is the shortest key NewSigner accepts.
const MinKeyLen = 32

const (
	domain      = "sendflow-onetap-v1"
	maxFieldLen = 128  // per string field, keeps links short
	maxTokenLen = 2048 // Verify refuses longer input before decoding
	nonceBytes  = 16
)

var b64 = base64.RawURLEncoding.Strict()

// Signer signs and verifies tokens with one HMAC key. It is safe for
// concurrent use.
type Signer struct {
	key []byte
}

// NewSigner returns a Signer for key, which must be at least 32 bytes (use
// 32 bytes from crypto/rand). The key is copied.
func NewSigner(key []byte) (*Signer, error) {
	if len(key) < MinKeyLen {
		return nil, fmt.Errorf("onetap: key is %d bytes, need at least %d", len(key), MinKeyLen)
	}
	return &Signer{key: bytes.Clone(key)}, nil
}

// NewNonce returns 128 random bits, base64url-encoded (22 characters).
func NewNonce() (string, error) {
	var b [nonceBytes]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("onetap: nonce: %w", err)
	}
	return b64.EncodeToString(b[:]), nil
}

// wire is the signed payload; short keys keep links short.
type wire struct {
	Action  string `json:"a"`
	Parent  string `json:"p"`
	Pupil   string `json:"u"`
	Ref     string `json:"r,omitempty"`
	Expires int64  `json:"e"`
	Nonce   string `json:"n"`
}

// Sign returns the URL-safe token for c. It refuses a claim without Action,
// Parent, Pupil or Expires, or with a field that is not valid UTF-8, contains
// control characters or is longer than 128 bytes. An empty Nonce is filled with
// NewNonce. Expires is kept to the second.
func (s *Signer) Sign(c Claim) (string, error) {
	if c.Nonce == "" {
		n, err := NewNonce()
		if err != nil {
			return "", err
		}
		c.Nonce = n
	}
	if err := check(c); err != nil {
		return "", err
	}
	payload, err := json.Marshal(wire{
		Action:  c.Action,
		Parent:  c.Parent,
		Pupil:   c.Pupil,
		Ref:     c.Ref,
		Expires: c.Expires.Unix(),
		Nonce:   c.Nonce,
	})
	if err != nil {
		return "", fmt.Errorf("onetap: %w", err)
	}
	return b64.EncodeToString(payload) + "." + b64.EncodeToString(s.mac(payload)), nil
}

func check(c Claim) error {
	var probs []string
	for _, f := range []struct {
		name, v  string
		required bool
	}{
		{"Action", c.Action, true},
		{"Parent", c.Parent, true},
		{"Pupil", c.Pupil, true},
		{"Ref", c.Ref, false},
		{"Nonce", c.Nonce, true},
	} {
		switch {
		case f.required && strings.TrimSpace(f.v) == "":
			probs = append(probs, f.name+" is required")
		case len(f.v) > maxFieldLen:
			probs = append(probs, fmt.Sprintf("%s is longer than %d bytes", f.name, maxFieldLen))
		case !printable(f.v):
			probs = append(probs, f.name+" must be valid UTF-8 without control characters")
		}
	}
	if c.Expires.IsZero() {
		probs = append(probs, "Expires is required")
	}
	if len(probs) > 0 {
		return errors.New("onetap: invalid claim: " + strings.Join(probs, "; "))
	}
	return nil
}

func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

func (s *Signer) mac(payload []byte) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(domain))
	m.Write(payload)
	return m.Sum(nil)
}

// Verify checks token and returns its claim. It returns an error wrapping
// ErrTampered for anything not signed with this key (checked first, in
// constant time), and ErrExpired when now is at or after Expires; with
// ErrExpired the authentic claim is returned too, so the page can offer to
// send a fresh link. It does not check Action or whether the nonce was used.
func (s *Signer) Verify(token string, now time.Time) (Claim, error) {
	if len(token) > maxTokenLen {
		return Claim{}, fmt.Errorf("%w: too long", ErrTampered)
	}
	p64, m64, ok := strings.Cut(token, ".")
	if !ok || p64 == "" || m64 == "" {
		return Claim{}, fmt.Errorf("%w: malformed", ErrTampered)
	}
	payload, err1 := b64.DecodeString(p64)
	mac, err2 := b64.DecodeString(m64)
	if err1 != nil || err2 != nil {
		return Claim{}, fmt.Errorf("%w: malformed", ErrTampered)
	}
	if !hmac.Equal(mac, s.mac(payload)) {
		return Claim{}, fmt.Errorf("%w: bad signature", ErrTampered)
	}

	// Authentic from here on; still decode strictly.
	var w wire
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil || dec.More() {
		return Claim{}, fmt.Errorf("%w: bad payload", ErrTampered)
	}
	c := Claim{
		Action:  w.Action,
		Parent:  w.Parent,
		Pupil:   w.Pupil,
		Ref:     w.Ref,
		Expires: time.Unix(w.Expires, 0).UTC(),
		Nonce:   w.Nonce,
	}
	if err := check(c); err != nil {
		return Claim{}, fmt.Errorf("%w: bad payload", ErrTampered)
	}
	if !now.Before(c.Expires) {
		return c, ErrExpired
	}
	return c, nil
}

// VerifyAction is Verify plus a check that the token was made for action;
// a token for another action gives ErrWrongAction and no claim.
func (s *Signer) VerifyAction(token, action string, now time.Time) (Claim, error) {
	c, err := s.Verify(token, now)
	if errors.Is(err, ErrTampered) {
		return Claim{}, err
	}
	if c.Action != action {
		return Claim{}, ErrWrongAction
	}
	return c, err
}
