package payloadcrypt

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
)

func key(b byte) []byte { return bytes.Repeat([]byte{b}, KeyLen) }

func payload(t *testing.T, v any) *commonpb.Payload {
	t.Helper()
	p, err := converter.GetDefaultDataConverter().ToPayload(v)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRoundTripHidesTheData(t *testing.T) {
	c, err := New(key(1))
	if err != nil {
		t.Fatal(err)
	}
	in := payload(
		t,
		map[string]string{"PupilID": "5c0f0000-0000-4000-8000-0000000000a1", "Observed": "Struggles to read"},
	)
	enc, err := c.Encode([]*commonpb.Payload{in})
	if err != nil {
		t.Fatal(err)
	}
	if string(enc[0].Metadata[MetadataEncoding]) != Encoding ||
		string(enc[0].Metadata[MetadataKeyID]) != KeyID(key(1)) {
		t.Errorf("encrypted payload metadata = %q", enc[0].Metadata)
	}
	if bytes.Contains(enc[0].Data, []byte("Struggles")) || bytes.Contains(enc[0].Data, []byte("json/plain")) {
		t.Errorf("the encrypted payload shows its content or encoding")
	}
	again, _ := c.Encode([]*commonpb.Payload{in})
	if bytes.Equal(again[0].Data, enc[0].Data) {
		t.Errorf("the same payload encrypted twice gives the same bytes: the nonce is not fresh")
	}
	dec, err := c.Decode(enc)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]string
	if err := converter.GetDefaultDataConverter().FromPayload(dec[0], &out); err != nil ||
		out["Observed"] != "Struggles to read" {
		t.Errorf("decoded %v (%v)", out, err)
	}
}

// After rotation the new key encrypts and the old one still decrypts; a process without the
// key says which key it needs; an altered payload is refused; a payload written before
// encryption is read as it is.
func TestRotationTamperingAndOldPayloads(t *testing.T) {
	old, _ := New(key(1))
	written, _ := old.Encode([]*commonpb.Payload{payload(t, "cycle 1")})

	rotated, err := New(key(2), key(1))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rotated.Decode(written); err != nil {
		t.Errorf("the old key no longer decrypts after rotation: %v", err)
	}
	fresh, _ := rotated.Encode([]*commonpb.Payload{payload(t, "cycle 2")})
	if string(fresh[0].Metadata[MetadataKeyID]) != KeyID(key(2)) {
		t.Errorf("after rotation payloads are still encrypted with the old key")
	}

	newOnly, _ := New(key(2))
	if _, err := newOnly.Decode(written); err == nil || !strings.Contains(err.Error(), KeyID(key(1))) ||
		!strings.Contains(err.Error(), "SENDFLOW_PAYLOAD_OLD_KEYS") {
		t.Errorf("a missing key gives %v; want the key id and the setting to put it in", err)
	}

	altered := &commonpb.Payload{Metadata: written[0].Metadata, Data: bytes.Clone(written[0].Data)}
	altered.Data[len(altered.Data)-1] ^= 1
	if _, err := old.Decode([]*commonpb.Payload{altered}); err == nil {
		t.Errorf("an altered payload was accepted")
	}
	relabelled := &commonpb.Payload{
		Metadata: map[string][]byte{MetadataEncoding: []byte(Encoding), MetadataKeyID: []byte(KeyID(key(2)))},
		Data:     written[0].Data,
	}
	if _, err := rotated.Decode([]*commonpb.Payload{relabelled}); err == nil {
		t.Errorf("a payload relabelled with another key id was accepted")
	}

	plain := payload(t, "from before encryption")
	got, err := newOnly.Decode([]*commonpb.Payload{plain})
	if err != nil || got[0] != plain {
		t.Errorf("an unencrypted payload was not passed through: %v", err)
	}
}

func TestKeys(t *testing.T) {
	for _, bad := range []string{"", "abc", strings.Repeat("z", 64), strings.Repeat("ab", 31)} {
		if _, err := ParseKey(bad); err == nil {
			t.Errorf("ParseKey(%q) accepted", bad)
		}
	}
	if _, err := New(key(1)[:16]); err == nil {
		t.Errorf("a 16-byte key was accepted")
	}
	path := filepath.Join(t.TempDir(), "payload.key")
	k1, err := LoadOrCreateKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	k2, err := LoadOrCreateKeyFile(path)
	if err != nil || k1 != k2 {
		t.Errorf("the kept key changed: %q then %q (%v)", k1, k2, err)
	}
	if _, err := ParseKey(k1); err != nil {
		t.Errorf("the made key does not parse: %v", err)
	}
}
