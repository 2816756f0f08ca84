package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sendflow/sendflow/internal/directory"
	"github.com/sendflow/sendflow/internal/input"
	"github.com/sendflow/sendflow/internal/refdata"
)

// BootstrapOptions say what `sendflow admin` sets up; empty fields are left alone.
type BootstrapOptions struct {
	AdminEmail, AdminName string
	// DirectoryFiles are local authorities' agency directories: each creates or refreshes its
	// authority with its contacts and services.
	DirectoryFiles []string
	// LACode names the school's local authority; with LAName, LASENDIASS and LAMediation it
	// creates one that has no directory file.
	LACode, LAName, LASENDIASS, LAMediation string
	Trust                                   string
	School                                  string
	SchoolLowAge, SchoolHighAge             *int
}

// howToAddLA is said wherever a local authority is missing (api/schools.go says the same).
func howToAddLA(code string) string {
	return fmt.Sprintf(
		"load its agency directory (sendflow admin --la-code %s --directory-files FILE, see catalogue/README.md) "+
			"or create it without services (sendflow admin --la-code %s --la-name NAME --la-sendiass CONTACT --la-mediation CONTACT)",
		code,
		code,
	)
}

// bootstrapLock serialises bootstraps, so two run at once still make one trust and one school.
const bootstrapLock = 0x73656e64 // "send"

// Bootstrap creates what a fresh installation needs before anyone can sign in: the first system
// administrator, a local authority, a trust and a school. Everything is found before it is
// created, so running it again changes nothing; each line of the report says which it was.
func Bootstrap(ctx context.Context, db *pgxpool.Pool, o BootstrapOptions, out io.Writer) error {
	if err := o.check(); err != nil {
		return err
	}
	var migrated bool
	if err := db.QueryRow(ctx, `SELECT to_regclass('public.goose_db_version') IS NOT NULL`).Scan(&migrated); err != nil {
		return fmt.Errorf("check the database: %w", err)
	}
	if !migrated {
		return errors.New("the database has no sendflow schema yet: run `sendflow migrate` first")
	}

	// Directory files first: refdata loads each in its own transaction.
	var dirs []*directory.Directory
	for _, f := range o.DirectoryFiles {
		b, err := os.ReadFile(f)
		if err != nil {
			return fmt.Errorf("read agency directory %s: %w", f, err)
		}
		d, err := directory.Parse(b)
		if err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		existed, err := laExists(ctx, db, d.Authority)
		if err != nil {
			return err
		}
		if err := refdata.LoadDirectory(ctx, db, d); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		state := "created"
		if existed {
			state = "already there; contacts and services refreshed from the file"
		}
		fmt.Fprintf(
			out,
			"local authority  %s  %s (%d services, from %s): %s\n",
			d.Authority,
			d.Name,
			len(d.Services),
			f,
			state,
		)
		dirs = append(dirs, d)
	}
	laCode := o.LACode
	if laCode == "" && len(dirs) == 1 {
		laCode = dirs[0].Authority
	}

	return pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, bootstrapLock); err != nil {
			return fmt.Errorf("lock: %w", err)
		}
		if o.AdminEmail != "" {
			var id string
			var created, wasAdmin bool
			err := tx.QueryRow(ctx, `SELECT id, system_admin FROM users WHERE lower(email) = lower($1)`, o.AdminEmail).
				Scan(&id, &wasAdmin)
			if errors.Is(err, pgx.ErrNoRows) {
				id, created = uuid.NewString(), true
				_, err = tx.Exec(
					ctx,
					`INSERT INTO users (id, email, name, system_admin) VALUES ($1, $2, $3, true)`,
					id,
					o.AdminEmail,
					o.AdminName,
				)
			} else if err == nil && !wasAdmin {
				_, err = tx.Exec(ctx, `UPDATE users SET system_admin = true WHERE id = $1`, id)
			}
			if err != nil {
				return fmt.Errorf("system administrator %s: %w", o.AdminEmail, err)
			}
			switch {
			case created:
				fmt.Fprintf(out, "system admin     %s  user %s: created\n", o.AdminEmail, id)
			case !wasAdmin:
				fmt.Fprintf(
					out,
					"system admin     %s  user %s: an existing user, now a system administrator\n",
					o.AdminEmail,
					id,
				)
			default:
				fmt.Fprintf(out, "system admin     %s  user %s: already there\n", o.AdminEmail, id)
			}
		}
		if o.LAName != "" {
			tag, err := tx.Exec(
				ctx,
				`INSERT INTO local_authorities (code, name, sendiass_contact, mediation_contact) VALUES ($1, $2, $3, $4)
				ON CONFLICT (code) DO NOTHING`,
				o.LACode,
				o.LAName,
				o.LASENDIASS,
				o.LAMediation,
			)
			if err != nil {
				return fmt.Errorf("local authority %s: %w", o.LACode, err)
			}
			state := "created (no agency services: load its directory file for referrals)"
			if tag.RowsAffected() == 0 {
				state = "already there (left as it is)"
			}
			fmt.Fprintf(out, "local authority  %s  %s: %s\n", o.LACode, o.LAName, state)
		}
		var trustID *string
		if o.Trust != "" {
			var id string
			err := tx.QueryRow(ctx, `SELECT id FROM trusts WHERE lower(name) = lower($1) ORDER BY id LIMIT 1`, o.Trust).
				Scan(&id)
			state := "already there"
			if errors.Is(err, pgx.ErrNoRows) {
				id, state = uuid.NewString(), "created"
				_, err = tx.Exec(ctx, `INSERT INTO trusts (id, name) VALUES ($1, $2)`, id, o.Trust)
			}
			if err != nil {
				return fmt.Errorf("trust %s: %w", o.Trust, err)
			}
			trustID = &id
			fmt.Fprintf(out, "trust            %s  id %s: %s\n", o.Trust, id, state)
		}
		if o.School != "" {
			var ok bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM local_authorities WHERE code = $1)`, laCode).Scan(&ok); err != nil {
				return fmt.Errorf("local authority %s: %w", laCode, err)
			}
			if !ok {
				known, _ := knownLAs(ctx, tx)
				return fmt.Errorf(
					"no local authority has the code %s (known: %s): %s",
					laCode,
					known,
					howToAddLA(laCode),
				)
			}
			var id string
			err := tx.QueryRow(ctx, `SELECT id FROM schools WHERE la_code = $1 AND lower(name) = lower($2) ORDER BY id LIMIT 1`, laCode, o.School).
				Scan(&id)
			state := "already there"
			if errors.Is(err, pgx.ErrNoRows) {
				id, state = uuid.NewString(), "created"
				_, err = tx.Exec(
					ctx,
					`INSERT INTO schools (id, name, la_code, trust_id, statutory_low_age, statutory_high_age) VALUES ($1, $2, $3, $4, $5, $6)`,
					id,
					o.School,
					laCode,
					trustID,
					o.SchoolLowAge,
					o.SchoolHighAge,
				)
			} else if err == nil {
				// An existing school keeps what it has; only what was never recorded is filled in.
				_, err = tx.Exec(ctx, `UPDATE schools SET trust_id = COALESCE(trust_id, $2),
					statutory_low_age = COALESCE(statutory_low_age, $3), statutory_high_age = COALESCE(statutory_high_age, $4) WHERE id = $1`,
					id, trustID, o.SchoolLowAge, o.SchoolHighAge)
			}
			if err != nil {
				return fmt.Errorf("school %s: %w", o.School, err)
			}
			fmt.Fprintf(out, "school           %s  id %s, local authority %s: %s\n", o.School, id, laCode, state)
		}
		return nil
	})
}

// Next tells the operator what to do after a bootstrap.
func (o BootstrapOptions) Next(out io.Writer) {
	if o.AdminEmail != "" {
		fmt.Fprintf(
			out,
			"\nNext: sendflow token --email %s   (a bearer token for the API; with serve's SENDFLOW_SIGNING_KEY)\n",
			o.AdminEmail,
		)
	}
	if o.School != "" {
		fmt.Fprintf(out, "Then add the school's staff (POST /v1/schools/{id}/staff), classes and pupils: see /docs.\n")
	}
}

// check refuses options that cannot work before anything is written.
func (o BootstrapOptions) check() error {
	if o.AdminEmail == "" && len(o.DirectoryFiles) == 0 && o.LACode == "" && o.Trust == "" && o.School == "" {
		return errors.New(
			"nothing to do: give --admin-email (the first system administrator), and any of --directory-files, --la-code, --trust, --school; see sendflow admin -h",
		)
	}
	if o.AdminEmail != "" {
		if _, err := input.Email(o.AdminEmail); err != nil {
			return fmt.Errorf("--admin-email: %w", err)
		}
		if o.AdminName == "" {
			return errors.New(
				"--admin-name is required with --admin-email: the administrator's name, as people will see it",
			)
		}
	}
	for flag, v := range map[string]string{"--admin-name": o.AdminName, "--la-name": o.LAName, "--la-sendiass": o.LASENDIASS,
		"--la-mediation": o.LAMediation, "--trust": o.Trust, "--school": o.School, "--la-code": o.LACode} {
		if err := input.Line(v, 200); err != nil {
			return fmt.Errorf("%s: %w", flag, err)
		}
	}
	someLA := o.LAName != "" || o.LASENDIASS != "" || o.LAMediation != ""
	if someLA && (o.LACode == "" || o.LAName == "" || o.LASENDIASS == "" || o.LAMediation == "") {
		return errors.New(
			"a new local authority needs --la-code, --la-name, --la-sendiass and --la-mediation (the SENDIASS and mediation contacts every decision letter quotes); or load its directory file with --directory-files",
		)
	}
	if (o.SchoolLowAge == nil) != (o.SchoolHighAge == nil) {
		return errors.New("--school-ages takes both ages, youngest first, e.g. 4-11")
	}
	if o.School != "" && o.LACode == "" && len(o.DirectoryFiles) != 1 {
		return errors.New(
			"a school belongs to a local authority: name it with --la-code CODE (one already loaded), or add it in the same command — " + howToAddLA(
				"CODE",
			),
		)
	}
	return nil
}

func laExists(ctx context.Context, db *pgxpool.Pool, code string) (bool, error) {
	var ok bool
	if err := db.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM local_authorities WHERE code = $1)`, code).Scan(&ok); err != nil {
		return false, fmt.Errorf("look up local authority %s: %w", code, err)
	}
	return ok, nil
}

func knownLAs(ctx context.Context, q interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
}) (string, error) {
	rows, err := q.Query(ctx, `SELECT code FROM local_authorities ORDER BY code`)
	if err != nil {
		return "", err
	}
	codes, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || len(codes) == 0 {
		return "none yet", err
	}
	return strings.Join(codes, ", "), nil
}
