// Package refdata loads the reference data a local authority supplies as files — the OAG
// catalogue and the agency directory — into PostgreSQL, and reads the catalogue back as a
// library of every version loaded.
package refdata

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sendflow/sendflow/internal/directory"
	"github.com/sendflow/sendflow/internal/oag"
)

// LoadCatalogue stores a catalogue version once. Loading the same version again is a no-op; a
// changed file under an old version number is refused, so what teachers recorded against a
// version always means what it meant.
func LoadCatalogue(ctx context.Context, db *pgxpool.Pool, c oag.Catalogue) error {
	doc, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("encode catalogue: %w", err)
	}
	tag, err := db.Exec(ctx, `INSERT INTO oag_catalogues (id, version, published, document) VALUES ($1, $2, $3, $4)
		ON CONFLICT (id, version) DO NOTHING`, c.ID, c.Version, c.Published, doc)
	if err != nil {
		return fmt.Errorf("store catalogue %s %s: %w", c.ID, c.Version, err)
	}
	if tag.RowsAffected() == 1 {
		return nil
	}
	var have []byte
	if err := db.QueryRow(ctx, `SELECT document FROM oag_catalogues WHERE id = $1 AND version = $2`, c.ID, c.Version).Scan(&have); err != nil {
		return fmt.Errorf("compare catalogue %s %s: %w", c.ID, c.Version, err)
	}
	var stored oag.Catalogue
	if err := json.Unmarshal(have, &stored); err != nil {
		return fmt.Errorf("read stored catalogue: %w", err)
	}
	a, _ := json.Marshal(stored)
	if !bytes.Equal(a, doc) {
		return fmt.Errorf(
			"catalogue %s version %s is already loaded with different content; give the changed file a new version",
			c.ID,
			c.Version,
		)
	}
	return nil
}

// Library reads every catalogue version stored.
func Library(ctx context.Context, db *pgxpool.Pool) (*oag.Library, error) {
	rows, err := db.Query(ctx, `SELECT document FROM oag_catalogues ORDER BY published, version`)
	if err != nil {
		return nil, fmt.Errorf("load catalogues: %w", err)
	}
	docs, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
	if err != nil {
		return nil, fmt.Errorf("load catalogues: %w", err)
	}
	var cs []oag.Catalogue
	for _, d := range docs {
		var c oag.Catalogue
		if err := json.Unmarshal(d, &c); err != nil {
			return nil, fmt.Errorf("read catalogue: %w", err)
		}
		cs = append(cs, c)
	}
	return oag.NewLibrary(cs...)
}

// LoadDirectory stores a local authority's directory: its contacts, its EHC needs assessment
// readiness rules and its services. Loading it again updates them.
func LoadDirectory(ctx context.Context, db *pgxpool.Pool, d *directory.Directory) error {
	ehcna, _ := json.Marshal(d.EHCNAReadiness)
	return pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error {
		_, err := tx.Exec(
			ctx,
			`INSERT INTO local_authorities (code, name, sendiass_contact, mediation_contact, ehcna_readiness, ehc_team_email)
			VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name,
			sendiass_contact = EXCLUDED.sendiass_contact, mediation_contact = EXCLUDED.mediation_contact, ehcna_readiness = EXCLUDED.ehcna_readiness,
			ehc_team_email = EXCLUDED.ehc_team_email`,
			d.Authority,
			d.Name,
			d.SENDIASSContact,
			d.MediationContact,
			ehcna,
			d.EHCTeamEmail,
		)
		if err != nil {
			return fmt.Errorf("store local authority %s: %w", d.Authority, err)
		}
		for _, s := range d.Services {
			rules, _ := json.Marshal(s.Readiness)
			var owner *string
			err := tx.QueryRow(ctx, `SELECT la_code FROM agency_services WHERE code = $1`, s.Code).Scan(&owner)
			if err == nil && owner != nil && *owner != d.Authority {
				return fmt.Errorf(
					"service code %q is already used by local authority %s; give this authority's service its own code",
					s.Code,
					*owner,
				)
			}
			if err != nil && !errors.Is(err, pgx.ErrNoRows) {
				return fmt.Errorf("check service %s: %w", s.Code, err)
			}
			translations := s.ConsentTranslations
			if translations == nil {
				translations = []directory.ConsentTranslation{}
			}
			trJSON, _ := json.Marshal(translations)
			_, err = tx.Exec(
				ctx,
				`INSERT INTO agency_services (code, name, referral_email, portal_url, consent_wording, consent_version, la_code, sla, readiness,
					consent_translations)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name,
				referral_email = EXCLUDED.referral_email, portal_url = EXCLUDED.portal_url, consent_wording = EXCLUDED.consent_wording,
				consent_version = EXCLUDED.consent_version, la_code = EXCLUDED.la_code, sla = EXCLUDED.sla, readiness = EXCLUDED.readiness,
				consent_translations = EXCLUDED.consent_translations`,
				s.Code,
				s.Name,
				s.Route.Email,
				s.Route.PortalURL,
				s.ConsentWording,
				s.ConsentVersion,
				d.Authority,
				string(s.SLA),
				rules,
				trJSON,
			)
			if err != nil {
				return fmt.Errorf("store service %s: %w", s.Code, err)
			}
		}
		return nil
	})
}

// LoadFiles loads catalogue and directory files named in a comma-separated list each; with no
// catalogue stored at all, the example catalogue shipped with sendflow is loaded so the API has one.
func LoadFiles(ctx context.Context, db *pgxpool.Pool, catalogueFiles, directoryFiles string) error {
	for _, f := range split(catalogueFiles) {
		b, err := os.ReadFile(f)
		if err != nil {
			return fmt.Errorf("read OAG catalogue %s: %w", f, err)
		}
		c, err := oag.Parse(b)
		if err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		if err := LoadCatalogue(ctx, db, c); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
	}
	var n int
	if err := db.QueryRow(ctx, `SELECT count(*) FROM oag_catalogues`).Scan(&n); err != nil {
		return fmt.Errorf("count catalogues: %w", err)
	}
	if n == 0 {
		c, err := oag.Example()
		if err != nil {
			return err
		}
		if err := LoadCatalogue(ctx, db, c); err != nil {
			return err
		}
	}
	for _, f := range split(directoryFiles) {
		b, err := os.ReadFile(f)
		if err != nil {
			return fmt.Errorf("read agency directory %s: %w", f, err)
		}
		d, err := directory.Parse(b)
		if err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		if err := LoadDirectory(ctx, db, d); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
	}
	return nil
}

func split(list string) []string {
	var out []string
	for _, f := range strings.Split(list, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
