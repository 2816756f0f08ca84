package actions

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/sendflow/sendflow/internal/bundle"
	"github.com/sendflow/sendflow/internal/evidence"
	evgather "github.com/sendflow/sendflow/internal/evidence/gather"
	"github.com/sendflow/sendflow/internal/store"
)

// The portable SEND record between installations (internal/bundle, docs/bundle.md): the pupil's
// school exports it signed; a school on another sendflow imports it with the sender's public
// key, and keeps it read-only beside the pupil's own history. Every surface (the JSON API, the
// staff pages) exports, imports and reads it here.

// MaxBundleFiles bounds the files inside an imported zip, unpacked.
const MaxBundleFiles = 32 << 20

// ErrNoBundleKey means this sendflow has no key to sign portable records with.
var ErrNoBundleKey = errors.New("this sendflow has no key to sign portable records: set SENDFLOW_BUNDLE_KEY_FILE")

// bundleRoles name a school role for a reader in another installation.
var bundleRoles = map[string]string{"sendco": "SENDCo", "head": "Head teacher"}

// BundleFile is a pupil's exported portable record: the zip and the name to save it under.
type BundleFile struct {
	Pupil    *store.Pupil
	Filename string
	Zip      []byte
}

// ExportBundle makes the pupil's portable record, signed with this sendflow's key: for the
// SENDCo and head of the pupil's school. The export is audited as a read of the pupil's record.
func (s *Service) ExportBundle(ctx context.Context, a Actor, pupilID string) (*BundleFile, error) {
	p, role, err := s.Pupil(ctx, a, pupilID, "pupil_bundle", "read")
	if err != nil {
		return nil, err
	}
	if len(s.BundleKey) != ed25519.PrivateKeySize {
		return nil, &Unavailable{Cause: ErrNoBundleKey}
	}
	lib, err := s.Catalogue(ctx)
	if err != nil {
		return nil, err
	}
	pack, err := evgather.Pack(ctx, s.Store, lib, p, "ehcna")
	if err != nil {
		return nil, s.unavailable(fmt.Errorf("gather the portable record: %w", err))
	}
	pack.For = "The pupil's next school (portable SEND record)"
	pack.Readiness = nil
	now := s.now()
	pack.GeneratedAt = now
	pdf, err := evidence.PDF(*pack)
	if err != nil {
		return nil, fmt.Errorf("portable record PDF: %w", err)
	}
	by := bundle.Person{ID: a.ID, Name: a.Name, Role: bundleRoles[role]}
	if by.Role == "" {
		by.Role = role
	}
	r := bundle.FromPack(*pack, bundle.School{ID: p.SchoolID, Name: pack.School}, by, now)
	z, err := bundle.Export(s.BundleKey, r, pdf)
	if err != nil {
		return nil, fmt.Errorf("portable record zip: %w", err)
	}
	s.Audit(ctx, a, role, "pupil_bundle:read", p.ID, p.SchoolID, "ok")
	return &BundleFile{Pupil: p, Filename: BundleFilename(p, now), Zip: z}, nil
}

// BundleFilename is the name a pupil's portable record is saved under: the pupil's names and
// UPN, and the day it was made, in letters and digits only (safe in any file system).
func BundleFilename(p *store.Pupil, on time.Time) string {
	safe := func(s string) string {
		return strings.Trim(strings.Map(func(r rune) rune {
			switch {
			case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
				return r
			}
			return '-'
		}, s), "-")
	}
	parts := []string{"sendflow-record"}
	for _, s := range []string{safe(p.LastName), safe(p.FirstName), safe(p.UPN)} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(append(parts, on.Format(time.DateOnly)), "-") + ".zip"
}

// BundleImport is a portable record from another sendflow and the sender's public key.
type BundleImport struct {
	SchoolID string // the receiving school
	Bundle   []byte // the zip, as exported
	// PublicKey is the sender's key as the person received it: the well-known JSON, PEM or
	// base64. sendflow never fetches it.
	PublicKey string
}

// Why an import was refused, in words for the person who chose the file.
const (
	bundleWordsNoFile = "Choose the file the sending school gave you (a .zip file whose name starts " +
		"with sendflow-record)."
	bundleWordsNoKey = "Paste the sending school's public key. Their sendflow shows it at the address " +
		"/.well-known/sendflow-bundle-key (for example https://their-sendflow.example/.well-known/sendflow-bundle-key)."
	bundleWordsBadKey = "This is not a sendflow public key. Paste everything the sending school's " +
		"/.well-known/sendflow-bundle-key address shows, starting with { and ending with }."
	bundleWordsSignature = "This file was not signed by that key: either it was changed after the sending " +
		"school downloaded it, or it comes from another school. Check the key is the sending school's, or " +
		"ask them to download the record again and send you the new file."
	bundleWordsFormat = "This record was made by a version of sendflow this one cannot read. Ask the sending " +
		"school to download it again, or to send it as a PDF."
	bundleWordsMalformed = "This file is not a portable record from sendflow. Choose the .zip file the " +
		"sending school downloaded with \"Download the portable record\", without opening or changing it."
	bundleWordsOnRoll = "A pupil with this UPN is already on the school's roll, so the record was not " +
		"imported and nothing was changed. If it is the same child, ask the sending school to move the record " +
		"with \"Pupils moving school\" instead."
)

// bundleRefusal turns why internal/bundle refused a file into a problem with the field.
func bundleRefusal(err error) *Invalid {
	field, words := "body.bundle", bundleWordsMalformed
	switch {
	case errors.Is(err, bundle.ErrKey):
		field, words = "body.publicKey", bundleWordsBadKey
	case errors.Is(err, bundle.ErrSignature):
		words = bundleWordsSignature
	case errors.Is(err, bundle.ErrFormat):
		words = bundleWordsFormat
	}
	return &Invalid{Summary: "The bundle was refused: " + err.Error(), Problems: []Problem{{Field: field, Message: words}}}
}

// ImportBundle imports a portable record into the receiving school: the school's SENDCo. The
// signature is checked with the public key given; a bad signature, another format version or a
// malformed file is Invalid (the field and why, in plain words) and changes nothing. A good one
// adds the pupil with the record kept read-only, in one transaction. The same bundle again —
// a retry, eight copies at once — is the same import (created false); a UPN already on the roll
// is Refused. An outage before the transaction commits leaves nothing, and the retry imports.
func (s *Service) ImportBundle(ctx context.Context, a Actor, in BundleImport) (*store.ImportedRecord, bool, error) {
	role, ok, err := s.Authz.SchoolAccess(a.Principal, in.SchoolID, "pupil_bundle", "import")
	if err != nil {
		return nil, false, s.unavailable(err)
	}
	if !ok {
		s.Audit(ctx, a, "", "pupil_bundle:import", "", in.SchoolID, "denied")
		return nil, false, &NotFound{What: "school"}
	}
	refuse := func(bad *Invalid) (*store.ImportedRecord, bool, error) {
		s.Audit(ctx, a, role, "pupil_bundle:import", "", in.SchoolID, "refused")
		return nil, false, bad
	}
	var problems []Problem
	if len(in.Bundle) == 0 {
		problems = append(problems, Problem{Field: "body.bundle", Message: bundleWordsNoFile})
	}
	if strings.TrimSpace(in.PublicKey) == "" {
		problems = append(problems, Problem{Field: "body.publicKey", Message: bundleWordsNoKey})
	}
	if len(problems) > 0 {
		return refuse(&Invalid{Summary: "The bundle was refused: the file or the key is missing.", Problems: problems})
	}
	pub, err := bundle.ParsePublicKey([]byte(in.PublicKey))
	if err != nil {
		return refuse(bundleRefusal(err))
	}
	r, parts, err := bundle.Open(pub, in.Bundle, MaxBundleFiles)
	if err != nil {
		return refuse(bundleRefusal(err))
	}
	dob, err := time.Parse(time.DateOnly, r.Pupil.DateOfBirth)
	if err != nil { // bundle.Open checked its form; a day that does not exist is still malformed
		return refuse(bundleRefusal(fmt.Errorf("%w: pupil.dateOfBirth: %v", bundle.ErrMalformed, err)))
	}
	pupilID := uuid.NewString()
	rec, created, err := s.Store.ImportRecord(ctx,
		store.NewPupil{ID: pupilID, SchoolID: in.SchoolID, UPN: r.Pupil.UPN, FirstName: r.Pupil.FirstName,
			LastName: r.Pupil.LastName, DateOfBirth: dob},
		store.ImportedRecord{ID: uuid.NewString(), SchoolID: in.SchoolID, PupilID: pupilID,
			BundleSHA256: bundle.Hash(parts), SourceKeyID: parts.Signature.KeyID, SourceSchool: r.SchoolFrom.Name,
			BundleJSON: string(parts.Record), PDF: parts.PDF, ImportedBy: a.ID, ImportedRole: role})
	if errors.Is(err, store.ErrOnRoll) {
		s.Audit(ctx, a, role, "pupil_bundle:import", "", in.SchoolID, "refused")
		return nil, false, &Refused{Reason: bundleWordsOnRoll}
	}
	if err != nil {
		s.Audit(ctx, a, role, "pupil_bundle:import", "", in.SchoolID, "unavailable")
		return nil, false, s.unavailable(err)
	}
	outcome := "ok"
	if !created {
		outcome = "repeat"
	}
	s.Audit(ctx, a, role, "pupil_bundle:import", rec.PupilID, in.SchoolID, outcome)
	return rec, created, nil
}

// ImportedRecords reads the records imported for a pupil, newest first, with their PDFs: the
// staff of the pupil's school who work with them. The read is audited.
func (s *Service) ImportedRecords(ctx context.Context, a Actor, pupilID string) (*store.Pupil, []store.ImportedRecord, error) {
	p, role, err := s.Pupil(ctx, a, pupilID, "imported_record", "read")
	if err != nil {
		return nil, nil, err
	}
	rs, err := s.Store.ImportedRecords(ctx, p.ID)
	if err != nil {
		return nil, nil, s.unavailable(err)
	}
	s.Audit(ctx, a, role, "imported_record:read", p.ID, p.SchoolID, "ok")
	return p, rs, nil
}

// ImportedRecord reads one record imported for a pupil; another pupil's record, or none, is
// NotFound. The read is audited.
func (s *Service) ImportedRecord(ctx context.Context, a Actor, pupilID, recordID string) (*store.Pupil, *store.ImportedRecord, error) {
	p, rs, err := s.ImportedRecords(ctx, a, pupilID)
	if err != nil {
		return nil, nil, err
	}
	for i := range rs {
		if rs[i].ID == recordID {
			return p, &rs[i], nil
		}
	}
	return nil, nil, &NotFound{What: "imported record"}
}

// SchoolImportedRecords lists the records imported for the pupils now at a school (without
// their PDFs): for its SENDCo and head, who export and import them. The pupils shown are
// audited.
func (s *Service) SchoolImportedRecords(ctx context.Context, a Actor, schoolID string) ([]store.ImportedRecord, error) {
	role, ok, err := s.Authz.SchoolAccess(a.Principal, schoolID, "pupil_bundle", "read")
	if err != nil {
		return nil, s.unavailable(err)
	}
	if !ok {
		s.Audit(ctx, a, "", "imported_record:read", "", schoolID, "denied")
		return nil, &NotFound{What: "school"}
	}
	rs, err := s.Store.SchoolImportedRecords(ctx, schoolID)
	if err != nil {
		return nil, s.unavailable(err)
	}
	ids := make([]string, 0, len(rs))
	for _, r := range rs {
		ids = append(ids, r.PupilID)
	}
	s.AuditPupils(ctx, a, role, "imported_record:read", schoolID, ids, "ok")
	return rs, nil
}
