package store

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/sendflow/sendflow/internal/devkit/seed"
)

const teacherOak = "5c0f0000-0000-4000-8000-000000000103"

func pathwayProjection(version int64, accept ...RecordRef) Projection {
	return Projection{
		PupilID:   seed.PupilAmaraID,
		SchoolID:  seed.DemoSchoolID,
		Kind:      "pathway",
		Status:    "awaiting_triage",
		Version:   version,
		State:     json.RawMessage(`{}`),
		UpdatedAt: time.Now(),
		Accept:    accept,
	}
}

// A proposed record is read by nobody until the projection that takes it in marks it accepted;
// withdrawing removes a refused proposal and never an accepted record; a projection asked to
// accept a record that was never proposed fails as ErrRecordMissing and changes nothing.
func TestRecordsBecomeHistoryOnlyWhenAccepted(t *testing.T) {
	s := seeded(t)
	ctx := context.Background()
	propose := func(id string) {
		t.Helper()
		if _, err := s.ProposeConcern(ctx, Concern{ID: id, PupilID: seed.PupilAmaraID, RaisedBy: teacherOak,
			Areas: []string{"sensory_physical"}, Observed: "Squints at the board."}); err != nil {
			t.Fatal(err)
		}
	}
	accepted := func(id string) (bool, bool) {
		t.Helper()
		a, e, err := s.Accepted(ctx, "concern", id)
		if err != nil {
			t.Fatal(err)
		}
		return a, e
	}
	const taken, refused = "6e000000-0000-4000-8000-000000000001", "6e000000-0000-4000-8000-000000000002"
	propose(taken)
	propose(refused)
	if n, _ := s.CountConcerns(ctx, seed.PupilAmaraID); n != 0 {
		t.Errorf("proposed concerns are counted: %d", n)
	}
	if err := s.Project(ctx, pathwayProjection(1, RecordRef{Kind: "concern", ID: taken})); err != nil {
		t.Fatal(err)
	}
	if err := s.Project(ctx, pathwayProjection(1, RecordRef{Kind: "concern", ID: taken})); err != nil { // a retried projection
		t.Fatal(err)
	}
	for _, id := range []string{taken, refused} {
		if err := s.Withdraw(ctx, "concern", id); err != nil {
			t.Fatal(err)
		}
	}
	if a, e := accepted(taken); !a || !e {
		t.Errorf("the accepted concern: accepted=%v exists=%v", a, e)
	}
	if _, e := accepted(refused); e {
		t.Errorf("the refused concern was not withdrawn")
	}
	if n, _ := s.CountConcerns(ctx, seed.PupilAmaraID); n != 1 {
		t.Errorf("%d concerns counted, want 1", n)
	}
	err := s.Project(ctx, pathwayProjection(2, RecordRef{Kind: "concern", ID: "6e000000-0000-4000-8000-00000000dead"}))
	if !errors.Is(err, ErrRecordMissing) {
		t.Errorf("accepting a record never proposed: %v, want ErrRecordMissing", err)
	}
	if v, _ := s.Pathway(ctx, seed.PupilAmaraID); v.Pathway.Version != 1 {
		t.Errorf("a projection that failed changed the read model to version %d", v.Pathway.Version)
	}
}

// Of requests sent at once with one Idempotency-Key exactly one claims it; the others see it
// running, then its answer; a claim given back can be taken again.
func TestIdempotencyKeyIsClaimedOnce(t *testing.T) {
	s := seeded(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	claimed := make([]bool, 10)
	for i := range claimed {
		wg.Add(1)
		go func() {
			defer wg.Done()
			saved, err := s.ClaimKey(ctx, teacherOak, "k1", "raise-concern", "hash", time.Minute)
			if err != nil {
				t.Error(err)
				return
			}
			claimed[i] = saved == nil
			if saved != nil && !saved.Running() {
				t.Errorf("a claim nobody answered yet reads as answered: %+v", saved)
			}
		}()
	}
	wg.Wait()
	n := 0
	for _, c := range claimed {
		if c {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d requests claimed the key, want 1", n)
	}
	if err := s.SaveResponse(ctx, teacherOak, "k1", 201, json.RawMessage(`{"ok":true}`)); err != nil {
		t.Fatal(err)
	}
	saved, err := s.ClaimKey(ctx, teacherOak, "k1", "raise-concern", "hash", time.Minute)
	if err != nil || saved == nil || saved.Running() || string(saved.Body) != `{"ok": true}` {
		t.Errorf("after the answer: %+v %v, want the saved answer", saved, err)
	}
	if _, err := s.ClaimKey(ctx, teacherOak, "k2", "triage", "h", time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := s.ReleaseKey(ctx, teacherOak, "k2"); err != nil {
		t.Fatal(err)
	}
	if saved, err := s.ClaimKey(ctx, teacherOak, "k2", "triage", "h", time.Minute); err != nil || saved != nil {
		t.Errorf("a key given back could not be claimed again: %+v %v", saved, err)
	}
}

// A one-tap link is held by one tap at a time, spent once, and a tap whose action failed gives
// it back.
func TestLinkClaims(t *testing.T) {
	s := seeded(t)
	ctx := context.Background()
	l := UsedLink{
		Nonce:    "n1",
		Action:   "consent",
		ParentID: "5c0f0000-0000-4000-8000-000000000201",
		PupilID:  seed.PupilAmaraID,
	}
	if err := s.ClaimLink(ctx, l, time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := s.ClaimLink(ctx, l, time.Minute); !errors.Is(err, ErrLinkBusy) {
		t.Errorf("a second tap while the first runs: %v, want ErrLinkBusy", err)
	}
	if err := s.ReleaseLink(ctx, "n1"); err != nil {
		t.Fatal(err)
	}
	if err := s.ClaimLink(ctx, l, time.Minute); err != nil {
		t.Errorf("a link given back could not be used again: %v", err)
	}
	if err := s.SpendLink(ctx, "n1"); err != nil {
		t.Fatal(err)
	}
	if err := s.ClaimLink(ctx, l, time.Minute); !errors.Is(err, ErrLinkUsed) {
		t.Errorf("a spent link: %v, want ErrLinkUsed", err)
	}
	if used, _ := s.LinkUsed(ctx, "n1"); !used {
		t.Errorf("a spent link does not read as used")
	}
}

// Proposed records no workflow took are swept after a while; accepted ones stay.
func TestStaleProposalsAreSwept(t *testing.T) {
	s := seeded(t)
	ctx := context.Background()
	for _, id := range []string{"6e000000-0000-4000-8000-000000000011", "6e000000-0000-4000-8000-000000000012"} {
		if _, err := s.ProposeConcern(ctx, Concern{ID: id, PupilID: seed.PupilAmaraID, RaisedBy: teacherOak, Areas: []string{"sensory_physical"}, Observed: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Project(ctx, pathwayProjection(1, RecordRef{Kind: "concern", ID: "6e000000-0000-4000-8000-000000000011"})); err != nil {
		t.Fatal(err)
	}
	if n, err := s.SweepProposed(ctx, time.Hour); err != nil || n != 0 {
		t.Errorf("a fresh proposal was swept: %d %v", n, err)
	}
	if _, err := s.DB.Exec(ctx, `UPDATE concerns SET created_at = now() - interval '8 days'`); err != nil {
		t.Fatal(err)
	}
	if n, err := s.SweepProposed(ctx, 7*24*time.Hour); err != nil || n != 1 {
		t.Errorf("swept %d (%v), want the one stale proposal", n, err)
	}
	if a, e, _ := s.Accepted(ctx, "concern", "6e000000-0000-4000-8000-000000000011"); !a || !e {
		t.Errorf("the accepted concern was swept")
	}
}

// A referral the pathway has accepted has no page until its own workflow has written its state:
// the staff pages send the SENDCo to the referral's page only once Shown says so (a page sent to
// earlier was "Page not found" in CI on a busy machine).
func TestAcceptedReferralIsShownOnlyWithItsState(t *testing.T) {
	s := seeded(t)
	ctx := context.Background()
	const id = "6e000000-0000-4000-8000-000000000021"
	if err := s.ProposeReferral(ctx, id, seed.PupilAmaraID, "educational_psychology", "Advice.", teacherOak); err != nil {
		t.Fatal(err)
	}
	shown := func() bool {
		t.Helper()
		ok, err := s.Shown(ctx, "referral", id)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if shown() {
		t.Error("a proposed referral is shown")
	}
	if err := s.Project(ctx, pathwayProjection(1, RecordRef{Kind: "referral", ID: id})); err != nil {
		t.Fatal(err)
	}
	if shown() {
		t.Error("an accepted referral whose workflow has written nothing yet is shown: its page would be Page not found")
	}
	item := Projection{PupilID: seed.PupilAmaraID, SchoolID: seed.DemoSchoolID, ItemID: "referral/" + id,
		Kind: "referral", Status: "awaiting_decision", Version: 1, State: json.RawMessage(`{}`), UpdatedAt: time.Now()}
	if err := s.Project(ctx, item); err != nil {
		t.Fatal(err)
	}
	if !shown() {
		t.Error("an accepted referral with its state is not shown")
	}
	if _, err := s.Shown(ctx, "concern", id); err == nil {
		t.Error("Shown answers for a kind that has no page of its own")
	}
}
