package onetap

import (
	"errors"
	"testing"
	"time"
)

// FuzzVerify: no string makes Verify panic or accepts as authentic what this key did not sign,
// and changing any one character of a signed link makes it a tampered one.
func FuzzVerify(f *testing.F) {
	key := []byte("0123456789abcdef0123456789abcdef")
	s, err := NewSigner(key)
	if err != nil {
		f.Fatal(err)
	}
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	good, _ := s.Sign(Claim{Action: ActionConsent, Parent: "p1", Pupil: "u1", Ref: "r1", Expires: now.Add(time.Hour)})
	f.Add(good, "p1", 0, byte('A'))
	f.Add("", "", 5, byte('.'))
	f.Add("e30.e30", "\x00", 100, byte(0))
	f.Add(good+good, "parent", 3, byte('_'))
	f.Fuzz(func(t *testing.T, token, parent string, pos int, b byte) {
		// Any string: an authentic answer only for what this key signed.
		if c, err := s.Verify(token, now); !errors.Is(err, ErrTampered) {
			again, serr := s.Sign(c)
			if serr != nil {
				t.Fatalf("verified a claim Sign refuses: %+v (%v)", c, serr)
			}
			if _, verr := s.Verify(again, now); verr != nil && !errors.Is(verr, ErrExpired) {
				t.Fatalf("a verified claim does not verify once signed again: %v", verr)
			}
		}
		// A link signed here, with one character changed, is tampered.
		signed, err := s.Sign(
			Claim{Action: ActionViewPlan, Parent: parent, Pupil: "u1", Expires: now.Add(time.Hour), Nonce: "n"},
		)
		if err != nil || len(signed) == 0 {
			return
		}
		i := pos % len(signed)
		if i < 0 {
			i = -i
		}
		if signed[i] == b {
			return
		}
		changed := signed[:i] + string([]byte{b}) + signed[i+1:]
		if _, err := s.Verify(changed, now); !errors.Is(err, ErrTampered) {
			t.Fatalf("changing byte %d of %q to %q: %v, want tampered", i, signed, b, err)
		}
	})
}
