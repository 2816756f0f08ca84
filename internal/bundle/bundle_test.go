package bundle_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/sendflow/sendflow/internal/bundle"
	"github.com/sendflow/sendflow/internal/evidence"
)

func sample() evidence.Pack {
	day := func(d int) time.Time { return time.Date(2026, 3, d, 0, 0, 0, 0, time.UTC) }
	reviewed := day(20)
	return evidence.Pack{
		School: "Hillside Primary", Stage: "SEN support",
		Pupil: evidence.Pupil{FirstName: "Amara", LastName: "Okafor", UPN: "A123456789012",
			DateOfBirth: time.Date(2017, 5, 4, 0, 0, 0, 0, time.UTC), YearOrClass: "Year 3"},
		Concerns: []evidence.Concern{{RaisedOn: day(1), RaisedBy: "Ms Teacher", Areas: []string{"Communication"},
			Observed: "Finds <group> work hard", Strategies: []evidence.Strategy{{Text: "Visual timetable",
				StartedOn: day(2), Impact: "some_change"}}}},
		Cycles: []evidence.Cycle{{Number: 1, AgreedOn: day(3), ReviewDate: day(20),
			Outcomes: []evidence.Outcome{{Text: "Joins group work", Rating: "met"}}, ReviewedOn: &reviewed,
			NextStep: "continue"}},
		Advice:   []evidence.Advice{{From: "Speech and language therapy", ReceivedOn: day(10), Summary: "Use visuals"}},
		Timeline: []evidence.Line{{On: day(1), Summary: "Concern raised"}},
		Passport: &evidence.Passport{Liked: "Drawing", Important: "My cat", Support: "Tell me first", Version: 2,
			SavedOn: day(5)},
	}
}

func export(t *testing.T, key ed25519.PrivateKey) ([]byte, []byte) {
	t.Helper()
	r := bundle.FromPack(sample(), bundle.School{ID: "s1", Name: "Hillside Primary"},
		bundle.Person{ID: "u1", Name: "Sam SENDCo", Role: "SENDCo"}, time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC))
	pdf := []byte("%PDF-1.7 synthetic")
	z, err := bundle.Export(key, r, pdf)
	if err != nil {
		t.Fatal(err)
	}
	return z, pdf
}

func newKey(t *testing.T) ed25519.PrivateKey {
	t.Helper()
	_, k, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestExportedBundleMatchesPublishedSchema(t *testing.T) {
	z, _ := export(t, newKey(t))
	p, err := bundle.Unzip(z, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	sch, err := c.Compile(filepath.Join("..", "..", "docs", "bundle.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(p.Record))
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(doc); err != nil {
		t.Fatalf("exported bundle.json does not match docs/bundle.schema.json: %v", err)
	}
	// An empty pack too: every list is [] and aboutMe is null.
	empty := bundle.FromPack(evidence.Pack{Pupil: sample().Pupil}, bundle.School{Name: "Hillside"},
		bundle.Person{Role: "SENDCo"}, time.Now())
	rec, err := bundle.Canonical(empty)
	if err != nil {
		t.Fatal(err)
	}
	doc, _ = jsonschema.UnmarshalJSON(bytes.NewReader(rec))
	if err := sch.Validate(doc); err != nil {
		t.Fatalf("empty record does not match the schema: %v\n%s", err, rec)
	}
	// And the schema refuses what a reader must refuse.
	var m map[string]any
	_ = json.Unmarshal(p.Record, &m)
	m["format"] = "sendflow.bundle/v2"
	if err := sch.Validate(m); err == nil {
		t.Error("schema accepted format v2")
	}
}

func TestRoundTripAndTampering(t *testing.T) {
	key := newKey(t)
	z, _ := export(t, key)
	pub := key.Public().(ed25519.PublicKey)
	r, parts, err := bundle.Open(pub, z, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if r.Pupil.UPN != "A123456789012" || r.AboutMe == nil || r.AboutMe.Liked != "Drawing" ||
		r.Concerns[0].Strategies[0].Impact != "some change" || r.Plans[0].Review == nil ||
		r.GeneratedBy.Role != "SENDCo" {
		t.Fatalf("round trip lost something: %+v", r)
	}
	if !bytes.Contains(parts.Record, []byte("<group>")) {
		t.Error("canonical JSON escaped HTML")
	}

	flip := func(b []byte, at int) []byte { c := bytes.Clone(b); c[at] ^= 0x01; return c }
	other := newKey(t).Public().(ed25519.PublicKey)
	v2 := bytes.Replace(parts.Record, []byte(`"sendflow.bundle/v1"`), []byte(`"sendflow.bundle/v2"`), 1)
	for _, tc := range []struct {
		name   string
		pub    ed25519.PublicKey
		record []byte
		pdf    []byte
		sig    func(s *bundle.Signature)
		want   error
	}{
		{name: "changed byte in record", record: flip(parts.Record, len(parts.Record)/2), want: bundle.ErrSignature},
		{name: "changed PDF", pdf: flip(parts.PDF, 3), want: bundle.ErrSignature},
		{name: "wrong key", pub: other, want: bundle.ErrSignature},
		{name: "signature changed", sig: func(s *bundle.Signature) {
			s.Signature = "A" + s.Signature[1:]
		}, want: bundle.ErrSignature},
		{name: "signature format v2", sig: func(s *bundle.Signature) { s.Format = "sendflow.bundle/v2" },
			want: bundle.ErrFormat},
		{name: "record format v2, resigned", record: v2, sig: func(s *bundle.Signature) {
			*s = bundle.Sign(key, v2, parts.PDF)
		}, want: bundle.ErrFormat},
		{name: "not canonical, resigned", record: append(bytes.Clone(parts.Record), ' '),
			sig:  func(s *bundle.Signature) { *s = bundle.Sign(key, append(bytes.Clone(parts.Record), ' '), parts.PDF) },
			want: bundle.ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, rec, pdf, sig := pub, parts.Record, parts.PDF, parts.Signature
			if tc.pub != nil {
				p = tc.pub
			}
			if tc.record != nil {
				rec = tc.record
			}
			if tc.pdf != nil {
				pdf = tc.pdf
			}
			if tc.sig != nil {
				tc.sig(&sig)
			}
			if _, err := bundle.Verify(p, rec, pdf, sig); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
	if _, _, err := bundle.Open(pub, []byte("not a zip"), 1<<20); !errors.Is(err, bundle.ErrMalformed) {
		t.Errorf("not a zip: %v", err)
	}
	if _, _, err := bundle.Open(pub, z, 10); !errors.Is(err, bundle.ErrMalformed) {
		t.Errorf("over the limit: %v", err)
	}
}

func TestKeys(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "dev", "bundle.key")
	k1, err := bundle.LoadOrCreateKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	k2, err := bundle.LoadOrCreateKeyFile(path)
	if err != nil || !k1.Equal(k2) {
		t.Fatalf("key not kept: %v", err)
	}
	pem, _ := os.ReadFile(path)
	if k3, err := bundle.ParsePrivateKey(pem); err != nil || !k3.Equal(k1) {
		t.Fatalf("PEM: %v", err)
	}
	pubJSON, _ := json.Marshal(bundle.Published(k1))
	pub, err := bundle.ParsePublicKey(pubJSON)
	if err != nil || !pub.Equal(k1.Public()) {
		t.Fatalf("public key JSON: %v", err)
	}
	if pub2, err := bundle.ParsePublicKey([]byte(bundle.Published(k1).Key)); err != nil || !pub2.Equal(pub) {
		t.Fatalf("public key base64: %v", err)
	}
	for _, bad := range []string{"", "not a key", "AAAA", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"} {
		if _, err := bundle.ParsePrivateKey([]byte(bad)); !errors.Is(err, bundle.ErrKey) {
			t.Errorf("%q: %v", bad, err)
		}
	}
	wrongID := bundle.Published(k1)
	wrongID.KeyID = "sha256:00"
	b, _ := json.Marshal(wrongID)
	if _, err := bundle.ParsePublicKey(b); !errors.Is(err, bundle.ErrKey) {
		t.Errorf("wrong keyId accepted: %v", err)
	}
}
