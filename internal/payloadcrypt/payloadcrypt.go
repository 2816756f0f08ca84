// Package payloadcrypt encrypts Temporal payloads before they leave the process, so the Temporal
// server (and its database and UI) holds only ciphertext of every workflow input, result, signal,
// update, query answer and activity argument. Workflow ids and search attributes are not
// payloads: they carry ids only.
//
// Each payload is sealed whole (data and metadata) with AES-256-GCM under the current key and
// marked with the id of that key, so keys can be rotated: a new key encrypts, old keys listed
// beside it still decrypt what they wrote. A payload written before encryption was turned on
// (no mark) is read as it is, so existing pathways keep running.
package payloadcrypt

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/proto"
)

// Metadata written on every encrypted payload.
const (
	MetadataEncoding = "encoding"
	Encoding         = "binary/encrypted"
	MetadataKeyID    = "encryption-key-id"
	MetadataCipher   = "encryption-cipher"
	cipherName       = "AES-256-GCM"
)

// KeyLen is the length of a key in bytes; keys are written as 64 hexadecimal characters.
const KeyLen = 32

// Codec is a converter.PayloadCodec that encrypts with one key and decrypts with any it holds.
type Codec struct {
	current string // key id
	keys    map[string]cipher.AEAD
}

var _ converter.PayloadCodec = (*Codec)(nil)

// ParseKey reads a key written as 64 hexadecimal characters (openssl rand -hex 32).
func ParseKey(s string) ([]byte, error) {
	b, err := hex.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) != KeyLen {
		return nil, errors.New("must be 64 hexadecimal characters (32 random bytes), e.g. from `openssl rand -hex 32`")
	}
	return b, nil
}

// KeyID names a key without revealing it: the first 8 bytes of its SHA-256, in hex.
func KeyID(key []byte) string {
	sum := sha256.Sum256(key)
	return hex.EncodeToString(sum[:8])
}

// New makes a codec that encrypts with current and can also decrypt with old keys.
func New(current []byte, old ...[]byte) (*Codec, error) {
	c := &Codec{current: KeyID(current), keys: map[string]cipher.AEAD{}}
	for _, k := range append([][]byte{current}, old...) {
		if len(k) != KeyLen {
			return nil, fmt.Errorf("payload key is %d bytes, want %d", len(k), KeyLen)
		}
		block, err := aes.NewCipher(k)
		if err != nil {
			return nil, fmt.Errorf("payload key: %w", err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("payload key: %w", err)
		}
		c.keys[KeyID(k)] = aead
	}
	return c, nil
}

// Encode seals each payload with the current key.
func (c *Codec) Encode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	aead := c.keys[c.current]
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		plain, err := proto.Marshal(p)
		if err != nil {
			return nil, fmt.Errorf("encrypt payload: %w", err)
		}
		nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plain)+aead.Overhead())
		if _, err := rand.Read(nonce); err != nil {
			return nil, fmt.Errorf("encrypt payload: %w", err)
		}
		// The key id is authenticated too, so a payload cannot be relabelled.
		sealed := aead.Seal(nonce, nonce, plain, []byte(c.current))
		out[i] = &commonpb.Payload{
			Metadata: map[string][]byte{
				MetadataEncoding: []byte(Encoding),
				MetadataKeyID:    []byte(c.current),
				MetadataCipher:   []byte(cipherName),
			},
			Data: sealed,
		}
	}
	return out, nil
}

// Decode opens sealed payloads and passes unsealed ones through.
func (c *Codec) Decode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		if string(p.GetMetadata()[MetadataEncoding]) != Encoding {
			out[i] = p // written before encryption was turned on
			continue
		}
		id := string(p.GetMetadata()[MetadataKeyID])
		aead, ok := c.keys[id]
		if !ok {
			return nil, fmt.Errorf(
				"a workflow payload is encrypted with key %s, which this process does not have: set it in SENDFLOW_PAYLOAD_OLD_KEYS",
				id,
			)
		}
		n := aead.NonceSize()
		if len(p.Data) < n {
			return nil, errors.New("decrypt payload: it is too short to be one sendflow wrote")
		}
		plain, err := aead.Open(nil, p.Data[:n], p.Data[n:], []byte(id))
		if err != nil {
			return nil, fmt.Errorf(
				"decrypt payload with key %s: it has been altered or was not written with this key",
				id,
			)
		}
		var orig commonpb.Payload
		if err := proto.Unmarshal(plain, &orig); err != nil {
			return nil, fmt.Errorf("decrypt payload: %w", err)
		}
		out[i] = &orig
	}
	return out, nil
}

// LoadOrCreateKeyFile reads the key kept at path, making a random one there on first use (for
// `sendflow dev`, which keeps its keys in its data dir).
func LoadOrCreateKeyFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		k := strings.TrimSpace(string(b))
		if _, err := ParseKey(k); err != nil {
			return "", fmt.Errorf("payload key in %s %s", path, err)
		}
		return k, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("read payload key: %w", err)
	}
	raw := make([]byte, KeyLen)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("generate payload key: %w", err)
	}
	k := hex.EncodeToString(raw)
	if err := os.WriteFile(path, []byte(k+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("write payload key: %w", err)
	}
	return k, nil
}
