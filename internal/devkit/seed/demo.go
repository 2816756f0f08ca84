// Package seed loads the demo school that `sendflow dev` starts with. Everyone in it is invented;
// fixed ids make seeding idempotent, so a restart finds the same people and tokens keep working.
package seed

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sendflow/sendflow/internal/directory"
	"github.com/sendflow/sendflow/internal/provision"
	"github.com/sendflow/sendflow/internal/refdata"
	"github.com/sendflow/sendflow/internal/upn"
)

// Person is a demo user and the role they hold.
type Person struct {
	ID, Email, Name, Role string
}

// DemoSchoolID is the demo school's id.
const DemoSchoolID = "5c0f0000-0000-4000-8000-000000000001"

// A second school, in another local authority and another trust, so that every role can be
// shown not to reach what is not theirs; and the trusts the two schools belong to.
const (
	OtherSchoolID = "5c0f0000-0000-4000-8000-000000000002"
	TrustID       = "5c0f0000-0000-4000-8000-0000000000f1"
	OtherTrustID  = "5c0f0000-0000-4000-8000-0000000000f2" // Riverside's
	PupilRubyID   = "5c0f0000-0000-4000-8000-0000000000b1" // at the other school
)

// The demo classes and pupils, exported so tests and the README can refer to them.
const (
	ClassOakID   = "5c0f0000-0000-4000-8000-0000000000c1"
	ClassBeechID = "5c0f0000-0000-4000-8000-0000000000c2"
	PupilAmaraID = "5c0f0000-0000-4000-8000-0000000000a1" // Oak class
	PupilLeoID   = "5c0f0000-0000-4000-8000-0000000000a2" // Oak class
	PupilZainID  = "5c0f0000-0000-4000-8000-0000000000a3" // Beech class
)

// Staff and parents of the demo school.
var People = []Person{
	{"5c0f0000-0000-4000-8000-000000000101", "sendco@oakfield.example", "Sam Patel", "sendco"},
	{"5c0f0000-0000-4000-8000-000000000102", "head@oakfield.example", "Helen Brooks", "head"},
	{"5c0f0000-0000-4000-8000-000000000103", "teacher.oak@oakfield.example", "Tom Reed", "teacher"},
	{"5c0f0000-0000-4000-8000-000000000104", "teacher.beech@oakfield.example", "Bea Nowak", "teacher"},
	{"5c0f0000-0000-4000-8000-000000000105", "ta@oakfield.example", "Tara Lewis", "teaching_assistant"},
	{"5c0f0000-0000-4000-8000-000000000201", "parent.amara@example.org", "Grace Okafor", "parent"},
	{"5c0f0000-0000-4000-8000-000000000202", "parent.leo@example.org", "Dan Fischer", "parent"},
	{"5c0f0000-0000-4000-8000-000000000203", "parent.zain@example.org", "Noor Hussain", "parent"},
	{"5c0f0000-0000-4000-8000-000000000301", "admin@oaktrust.example", "Olu Adeyemi", "trust_admin"},
	{"5c0f0000-0000-4000-8000-000000000302", "ep@demoshire.example", "Priya Shah", "agency_practitioner"},
	{"5c0f0000-0000-4000-8000-000000000303", "ehc.officer@demoshire.example", "Liam Carter", "la_officer"},
	{"5c0f0000-0000-4000-8000-000000000304", "ehc.officer@otherborough.example", "Mia Evans", "la_officer"},
	{"5c0f0000-0000-4000-8000-000000000305", "sysadmin@sendflow.example", "Sys Admin", "system_admin"},
	{"5c0f0000-0000-4000-8000-000000000401", "sendco@riverside.example", "Rosa Quinn", "sendco"},
	{"5c0f0000-0000-4000-8000-000000000402", "parent.ruby@example.org", "Kay Moss", "parent"},
	// A second practitioner, head and trust admin, so that every relationship has someone on
	// each side of it: another service, another school, another trust.
	{"5c0f0000-0000-4000-8000-000000000306", "slt@demoshire.example", "Sean Ellis", "agency_practitioner"},
	{"5c0f0000-0000-4000-8000-000000000403", "head@riverside.example", "Ravi Singh", "head"},
	{"5c0f0000-0000-4000-8000-000000000307", "admin@rivertrust.example", "Ada Marsh", "trust_admin"},
}

// schoolOf says which school a demo person belongs to (the other school's staff and parent).
func schoolOf(email string) string {
	switch email {
	case "sendco@riverside.example", "parent.ruby@example.org", "head@riverside.example":
		return OtherSchoolID
	}
	return DemoSchoolID
}

type pupil struct {
	id, classID, upnRest, first, last, dob, parentEmail string
}

var pupils = []pupil{
	{PupilAmaraID, ClassOakID, "999123400001", "Amara", "Okafor", "2018-03-14", "parent.amara@example.org"},
	{PupilLeoID, ClassOakID, "999123400002", "Leo", "Fischer", "2018-07-02", "parent.leo@example.org"},
	{PupilZainID, ClassBeechID, "999123400003", "Zain", "Hussain", "2017-11-25", "parent.zain@example.org"},
	{PupilRubyID, "", "998123400001", "Ruby", "Moss", "2018-05-09", "parent.ruby@example.org"},
}

// Demo writes the demo school. Running it again changes nothing.
func Demo(ctx context.Context, db *pgxpool.Pool) error {
	// The demo local authority, Demoshire, and its services come from the shipped directory file,
	// loaded the way a real authority's file is.
	dir, err := directory.Demo()
	if err != nil {
		return fmt.Errorf("seed: demo directory: %w", err)
	}
	if err := refdata.LoadDirectory(ctx, db, dir); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	if err := refdata.LoadFiles(ctx, db, "", ""); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	tx, err := db.Begin(ctx)
	if err != nil {
		return fmt.Errorf("seed: begin: %w", err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // no-op after commit
	exec := func(sql string, args ...any) {
		if err == nil {
			_, err = tx.Exec(ctx, sql, args...)
		}
	}
	exec(
		`INSERT INTO schools (id, name, la_code) VALUES ($1, 'Oakfield Primary (demo)', '999') ON CONFLICT DO NOTHING`,
		DemoSchoolID,
	)
	ids := map[string]string{}
	exec(`INSERT INTO local_authorities (code, name, sendiass_contact, mediation_contact)
		VALUES ('998', 'Otherborough Council (demo)', 'Otherborough SENDIASS, 01632 960100', 'Otherborough Mediation, 01632 960101') ON CONFLICT DO NOTHING`)
	exec(`INSERT INTO trusts (id, name) VALUES ($1, 'Oak Learning Trust (demo)') ON CONFLICT DO NOTHING`, TrustID)
	exec(`UPDATE schools SET trust_id = $2 WHERE id = $1 AND trust_id IS NULL`, DemoSchoolID, TrustID)
	exec(
		`INSERT INTO schools (id, name, la_code) VALUES ($1, 'Riverside Primary (demo)', '998') ON CONFLICT DO NOTHING`,
		OtherSchoolID,
	)
	// Both are primary schools, for ages 4 to 11 (Reception to Year 6): the annual review in
	// Year 6 prepares for the move to secondary school.
	exec(
		`UPDATE schools SET statutory_low_age = 4, statutory_high_age = 11 WHERE id IN ($1, $2) AND statutory_low_age IS NULL`,
		DemoSchoolID,
		OtherSchoolID,
	)
	exec(
		`INSERT INTO trusts (id, name) VALUES ($1, 'River Learning Trust (demo)') ON CONFLICT DO NOTHING`,
		OtherTrustID,
	)
	exec(`UPDATE schools SET trust_id = $2 WHERE id = $1 AND trust_id IS NULL`, OtherSchoolID, OtherTrustID)
	// How families reach each school (numbers in Ofcom's drama range); set once, so a school that
	// changed its contact keeps it.
	for id, c := range map[string][3]string{
		DemoSchoolID:  {"The school office", "office@oakfield.example", "01632 960 200"},
		OtherSchoolID: {"The school office", "office@riverside.example", "01632 960 300"},
	} {
		exec(
			`UPDATE schools SET contact_name = $2, contact_email = $3, contact_phone = $4 WHERE id = $1 AND contact_email = ''`,
			id,
			c[0],
			c[1],
			c[2],
		)
	}
	for _, p := range People {
		ids[p.Email] = p.ID
		exec(`INSERT INTO users (id, email, name) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, p.ID, p.Email, p.Name)
		switch p.Role {
		case "trust_admin":
			trust := TrustID
			if p.Email == "admin@rivertrust.example" {
				trust = OtherTrustID
			}
			exec(`INSERT INTO trust_admins (user_id, trust_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, p.ID, trust)
		case "system_admin":
			exec(`UPDATE users SET system_admin = true WHERE id = $1`, p.ID)
		case "agency_practitioner":
			service := "educational_psychology"
			if p.Email == "slt@demoshire.example" {
				service = "speech_and_language"
			}
			exec(
				`INSERT INTO agency_practitioners (user_id, service) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
				p.ID,
				service,
			)
		case "la_officer":
			la := "999"
			if p.Email == "ehc.officer@otherborough.example" {
				la = "998"
			}
			exec(`INSERT INTO la_officers (user_id, la_code) VALUES ($1, $2) ON CONFLICT DO NOTHING`, p.ID, la)
		default:
			exec(
				`INSERT INTO memberships (user_id, school_id, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
				p.ID,
				schoolOf(p.Email),
				p.Role,
			)
		}
	}
	exec(
		`INSERT INTO classes (id, school_id, name) VALUES ($1, $2, 'Oak'), ($3, $2, 'Beech') ON CONFLICT DO NOTHING`,
		ClassOakID,
		DemoSchoolID,
		ClassBeechID,
	)
	exec(
		`INSERT INTO class_teachers (class_id, user_id) VALUES ($1, $2), ($3, $4), ($1, $5) ON CONFLICT DO NOTHING`,
		ClassOakID,
		ids["teacher.oak@oakfield.example"],
		ClassBeechID,
		ids["teacher.beech@oakfield.example"],
		ids["ta@oakfield.example"],
	)
	for _, p := range pupils {
		u, uerr := upn.Make(p.upnRest)
		if uerr != nil {
			return fmt.Errorf("seed: upn for %s: %w", p.id, uerr)
		}
		dob, _ := time.Parse("2006-01-02", p.dob)
		var class any
		if p.classID != "" {
			class = p.classID
		}
		exec(`INSERT INTO pupils (id, school_id, class_id, upn, first_name, last_name, date_of_birth)
			VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`, p.id, schoolOf(p.parentEmail), class, u, p.first, p.last, dob)
		exec(
			`INSERT INTO pupil_parents (pupil_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
			p.id,
			ids[p.parentEmail],
		)
	}
	if err != nil {
		return fmt.Errorf("seed demo school: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("seed: commit: %w", err)
	}
	// Oakfield's provision catalogue, from the shipped file (catalogue/provision-oakfield.yaml).
	cat, err := provision.Demo()
	if err != nil {
		return fmt.Errorf("seed: provision catalogue: %w", err)
	}
	doc, err := json.Marshal(cat)
	if err != nil {
		return fmt.Errorf("seed: provision catalogue: %w", err)
	}
	if _, err := db.Exec(ctx, `INSERT INTO provision_catalogues (school_id, id, version, published, document) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (school_id, version) DO NOTHING`, DemoSchoolID, cat.ID, cat.Version, cat.Published, doc); err != nil {
		return fmt.Errorf("seed: provision catalogue: %w", err)
	}
	return demoTerms(ctx, db)
}
