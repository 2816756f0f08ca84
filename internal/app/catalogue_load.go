package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sendflow/sendflow/actions"
	"github.com/sendflow/sendflow/internal/refdata"
	"github.com/sendflow/sendflow/internal/store"
)

// LoadProvisionCatalogue is `sendflow provision load --school ID FILE`: an operator loads a
// school's provision catalogue file through the same checks and storing as the SENDCo's upload
// (actions.StoreCatalogueFile), audited as the operator's. A file with problems loads nothing
// and every problem is printed with its line.
func LoadProvisionCatalogue(ctx context.Context, pool *pgxpool.Pool, schoolID, file string, out io.Writer) error {
	src, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("read the catalogue file: %w", err)
	}
	st := &store.Store{DB: pool}
	sc, err := st.SchoolByID(ctx, schoolID)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("--school %s: no such school", schoolID)
	}
	if err != nil {
		return fmt.Errorf("find school %s: %w", schoolID, err)
	}
	lib, err := refdata.Library(ctx, pool)
	if err != nil {
		return fmt.Errorf("load the OAG catalogue: %w", err)
	}
	if _, ok := lib.Latest(); !ok {
		return actions.ErrNoCatalogue
	}
	up, err := actions.StoreCatalogueFile(ctx, st, lib, sc.ID, src, "")
	outcome := "ok"
	var bad *actions.Invalid
	if errors.As(err, &bad) {
		outcome = "invalid"
	}
	if err == nil || bad != nil {
		if aerr := st.Audit(ctx, store.AuditEntry{ActorRole: "operator", Action: "provision_catalogue:update",
			SchoolID: sc.ID, RequestID: "cli", Outcome: outcome}); aerr != nil {
			return aerr
		}
	}
	if bad != nil {
		for _, p := range bad.Problems {
			fmt.Fprintf(out, "%s: %s: %s\n", file, p.Field, p.Message)
		}
		return errors.New(bad.Summary)
	}
	if err != nil {
		return err
	}
	if up.Created {
		fmt.Fprintf(out, "Loaded %s version %s (%d items) for %s.\n", up.Catalogue.ID, up.Catalogue.Version, len(up.Catalogue.Items), sc.Name)
	} else {
		fmt.Fprintf(out, "%s version %s is already loaded for %s with this content; nothing changed.\n", up.Catalogue.ID, up.Catalogue.Version, sc.Name)
	}
	return nil
}
