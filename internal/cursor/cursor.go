// Package cursor makes opaque, tamper-proof cursors for keyset pagination.
//
// A list endpoint orders by a unique key (e.g. last name, first name, id), returns a page, and
// hands back a cursor holding the key of the last row on it. The next request sends the cursor
// back and the query continues after that key. The cursor also carries a hash of the query's
// filters (FilterOf), so it cannot be replayed against a different query.
//
// On the wire a cursor is base64url(JSON) + "." + base64url(HMAC-SHA256 truncated to 16 bytes),
// both without padding, so it is safe in a URL query. Clients can read it but not change it:
// Decode refuses anything not signed with the server's key.
//
// Usage in a handler:
//
//	filter := cursor.FilterOf(schoolID, classParam, searchParam)
//	after := ""
//	if in.Cursor != "" {
//		c, err := cursor.DecodeFor(in.Cursor, key, filter) // ErrInvalid or ErrOtherQuery: a 400
//		...
//		after = c.After
//	}
//	limit, err := cursor.Limit(in.Limit, 50, 200) // a 400 with err's message
//	// query limit+1 rows after `after`; if there are more, the next cursor is
//	next := cursor.Encode(cursor.Cursor{After: lastKey, Filter: filter}, key)
package cursor

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Cursor is a position in a list.
type Cursor struct {
	// After is the key of the last row already seen, e.g. "Okafor\x00Amara\x00<uuid>".
	After string
	// Filter identifies the query's filters (see FilterOf), so a cursor cannot be reused with
	// different filters.
	Filter string
}

// MinKeyLen is the shortest key Encode and Decode accept.
const MinKeyLen = 16

// MaxLen is the longest string Decode will look at; real cursors are far shorter.
const MaxLen = 2048

const (
	version = 1
	macLen  = 16 // bytes of HMAC-SHA256 kept
	// domain separates cursor signatures from anything else signed with the same key.
	domain = "sendflow cursor v1\x00"
)

var (
	// ErrInvalid is returned for a cursor that is malformed, truncated, forged or made with
	// another key. Its message is fit to show a client.
	ErrInvalid = errors.New("the cursor is not valid; start again without one")
	// ErrOtherQuery is returned by DecodeFor for a valid cursor made for different filters.
	ErrOtherQuery = errors.New("the cursor belongs to a query with different filters; start again without one")
)

var b64 = base64.RawURLEncoding.Strict()

type wire struct {
	V int    `json:"v"`
	A string `json:"a"`
	F string `json:"f,omitempty"`
}

func sign(payload string, key []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(domain))
	m.Write([]byte(payload))
	return m.Sum(nil)[:macLen]
}

// Encode makes the string form of c. It panics if key is shorter than MinKeyLen or if c's
// fields are not valid UTF-8 (JSON could not carry them exactly); both are programming errors,
// since keys come from configuration and keyset keys from text columns.
func Encode(c Cursor, key []byte) string {
	if len(key) < MinKeyLen {
		panic(fmt.Sprintf("cursor: key is %d bytes; it must be at least %d", len(key), MinKeyLen))
	}
	if !utf8.ValidString(c.After) || !utf8.ValidString(c.Filter) {
		panic("cursor: After and Filter must be valid UTF-8")
	}
	js, err := json.Marshal(wire{V: version, A: c.After, F: c.Filter})
	if err != nil {
		panic("cursor: " + err.Error()) // cannot happen for a struct of strings
	}
	payload := b64.EncodeToString(js)
	return payload + "." + b64.EncodeToString(sign(payload, key))
}

// Decode checks and opens a cursor made by Encode with the same key. Anything malformed,
// truncated, altered or signed with another key gives ErrInvalid. An empty string is invalid
// too: callers treat a missing cursor as the first page before calling Decode. A key shorter
// than MinKeyLen gives a different error, since that is the server's fault, not the client's.
func Decode(s string, key []byte) (Cursor, error) {
	if len(key) < MinKeyLen {
		return Cursor{}, fmt.Errorf("cursor: key is %d bytes; it must be at least %d", len(key), MinKeyLen)
	}
	if len(s) > MaxLen {
		return Cursor{}, ErrInvalid
	}
	payload, sig, ok := strings.Cut(s, ".")
	if !ok || payload == "" || strings.Contains(sig, ".") {
		return Cursor{}, ErrInvalid
	}
	got, err := b64.DecodeString(sig)
	if err != nil || !hmac.Equal(got, sign(payload, key)) {
		return Cursor{}, ErrInvalid
	}
	js, err := b64.DecodeString(payload)
	if err != nil {
		return Cursor{}, ErrInvalid
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	var w wire
	if err := dec.Decode(&w); err != nil || dec.More() || w.V != version {
		return Cursor{}, ErrInvalid
	}
	return Cursor{After: w.A, Filter: w.F}, nil
}

// DecodeFor is Decode followed by a check that the cursor was made for filter; a cursor made
// for other filters gives ErrOtherQuery.
func DecodeFor(s string, key []byte, filter string) (Cursor, error) {
	c, err := Decode(s, key)
	if err != nil {
		return Cursor{}, err
	}
	if !hmac.Equal([]byte(c.Filter), []byte(filter)) {
		return Cursor{}, ErrOtherQuery
	}
	return c, nil
}

// FilterOf hashes a query's filter values (in a fixed order, empty for an unset filter) into a
// short string for Cursor.Filter. Each part is length-prefixed, so ("ab", "c") and ("a", "bc")
// differ.
func FilterOf(parts ...string) string {
	h := sha256.New()
	var n [8]byte
	for _, p := range parts {
		binary.BigEndian.PutUint64(n[:], uint64(len(p)))
		h.Write(n[:])
		h.Write([]byte(p))
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// Limit resolves a requested page size: 0 (not given) means def; more than max or less than 0
// is an error whose message is fit to show a client.
func Limit(requested, def, max int) (int, error) {
	switch {
	case requested == 0:
		return def, nil
	case requested < 0:
		return 0, fmt.Errorf("limit must be between 1 and %d", max)
	case requested > max:
		return 0, fmt.Errorf("limit must be at most %d", max)
	}
	return requested, nil
}
