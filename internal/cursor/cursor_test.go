package cursor

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

var (
	key      = []byte("0123456789abcdef0123456789abcdef")
	otherKey = []byte("fedcba9876543210fedcba9876543210")
)

func TestRoundTrip(t *testing.T) {
	for _, c := range []Cursor{
		{After: "Okafor\x00Amara\x000b6f3c1e-6a53-4c1b-9d0e-5b7f1e2a9c44", Filter: FilterOf("school-1", "", "oak")},
		{After: "Ó Súilleabháin\x00Siobhán\x00id", Filter: ""},
		{After: "", Filter: "f"},
		{After: `quotes " and \ and . and = and / and +`, Filter: "x.y"},
	} {
		s := Encode(c, key)
		if strings.ContainsAny(s, "+/=?&# ") || strings.Count(s, ".") != 1 {
			t.Errorf("Encode(%q) = %q: not URL-safe with one dot", c, s)
		}
		got, err := Decode(s, key)
		if err != nil || got != c {
			t.Errorf("Decode(Encode(%q)) = %q, %v", c, got, err)
		}
		if got, err := DecodeFor(s, key, c.Filter); err != nil || got != c {
			t.Errorf("DecodeFor(Encode(%q)) = %q, %v", c, got, err)
		}
	}
	// A 16-byte key is enough; the same input always encodes the same way.
	c := Cursor{After: "a", Filter: "b"}
	if first, second := Encode(c, key[:16]), Encode(c, key[:16]); first != second {
		t.Error("Encode is not deterministic")
	}
}

func TestRefused(t *testing.T) {
	good := Encode(Cursor{After: "Okafor\x00Amara\x00id-1", Filter: "f1"}, key)
	payload, sig, _ := strings.Cut(good, ".")

	// A client that decodes the payload, moves the position and re-encodes it.
	forged := base64.RawURLEncoding.EncodeToString([]byte(`{"v":1,"a":"Zz\u0000Zz\u0000id-9","f":"f1"}`))
	// Validly signed payloads that are not what Encode makes.
	signed := func(js string) string {
		p := base64.RawURLEncoding.EncodeToString([]byte(js))
		return p + "." + base64.RawURLEncoding.EncodeToString(sign(p, key))
	}
	flip := func(s string, i int) string {
		b := []byte(s)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return string(b)
	}

	for name, s := range map[string]string{
		"empty":                 "",
		"no dot":                payload + sig,
		"no signature":          payload + ".",
		"no payload":            "." + sig,
		"two dots":              good + ".x",
		"forged payload":        forged + "." + sig,
		"payload changed":       flip(payload, 3) + "." + sig,
		"signature changed":     payload + "." + flip(sig, 2),
		"signature truncated":   payload + "." + sig[:len(sig)-2],
		"signature extended":    payload + "." + sig + "AA",
		"payload truncated":     payload[:len(payload)-4] + "." + sig,
		"other key":             Encode(Cursor{After: "x", Filter: "f1"}, otherKey),
		"not base64":            "!!!." + sig,
		"padded base64":         payload + "==." + sig,
		"too long":              strings.Repeat("A", MaxLen+1),
		"garbage":               "hello world",
		"signed but not JSON":   signed("not json"),
		"signed, wrong version": signed(`{"v":2,"a":"x","f":"f1"}`),
		"signed, extra field":   signed(`{"v":1,"a":"x","f":"f1","admin":true}`),
		"signed, trailing data": signed(`{"v":1,"a":"x","f":"f1"} {}`),
	} {
		if c, err := Decode(s, key); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: Decode(%q) = %q, %v; want ErrInvalid", name, s, c, err)
		}
	}
	if _, err := Decode(good, key); err != nil {
		t.Fatalf("the untouched cursor: %v", err)
	}
}

func TestFilters(t *testing.T) {
	f := FilterOf("school-1", "class-a")
	s := Encode(Cursor{After: "k", Filter: f}, key)
	if _, err := DecodeFor(s, key, FilterOf("school-1", "class-b")); !errors.Is(err, ErrOtherQuery) {
		t.Errorf("DecodeFor with other filters = %v, want ErrOtherQuery", err)
	}
	if _, err := DecodeFor(s+"x", key, f); !errors.Is(err, ErrInvalid) {
		t.Errorf("DecodeFor with a garbled cursor = %v, want ErrInvalid", err)
	}
	if FilterOf("ab", "c") == FilterOf("a", "bc") || FilterOf("a") == FilterOf("a", "") || FilterOf() == FilterOf("") {
		t.Error("FilterOf is ambiguous")
	}
	if first, second := FilterOf("x", "y"), FilterOf("x", "y"); first != second || len(FilterOf("x")) != 24 {
		t.Errorf("FilterOf = %q", FilterOf("x"))
	}
}

func TestKeyTooShort(t *testing.T) {
	if _, err := Decode("a.b", key[:15]); err == nil || errors.Is(err, ErrInvalid) {
		t.Errorf("Decode with a 15-byte key = %v, want a key error", err)
	}
	defer func() {
		if recover() == nil {
			t.Error("Encode with a 15-byte key did not panic")
		}
	}()
	Encode(Cursor{After: "a"}, key[:15])
}

func TestInvalidUTF8Panics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Encode with invalid UTF-8 did not panic")
		}
	}()
	Encode(Cursor{After: "\xff"}, key)
}

func TestLimit(t *testing.T) {
	for _, tc := range []struct {
		requested, def, max int
		want                int
		err                 string
	}{
		{0, 50, 200, 50, ""},
		{1, 50, 200, 1, ""},
		{75, 50, 200, 75, ""},
		{200, 50, 200, 200, ""},
		{201, 50, 200, 0, "limit must be at most 200"},
		{1000000, 50, 200, 0, "limit must be at most 200"},
		{-1, 50, 200, 0, "limit must be between 1 and 200"},
	} {
		got, err := Limit(tc.requested, tc.def, tc.max)
		gotErr := ""
		if err != nil {
			gotErr = err.Error()
		}
		if got != tc.want || gotErr != tc.err {
			t.Errorf(
				"Limit(%d, %d, %d) = %d, %q; want %d, %q",
				tc.requested,
				tc.def,
				tc.max,
				got,
				gotErr,
				tc.want,
				tc.err,
			)
		}
	}
}
