package activities

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/testsuite"

	"github.com/sendflow/sendflow/internal/devkit/seed"
	"github.com/sendflow/sendflow/internal/devkit/testenv"
	"github.com/sendflow/sendflow/internal/email"
	"github.com/sendflow/sendflow/internal/onetap"
	"github.com/sendflow/sendflow/internal/store"
	"github.com/sendflow/sendflow/internal/web"
	"github.com/sendflow/sendflow/workflows"
)

const (
	publicURL     = "https://sendflow.example"
	amaraParentID = "5c0f0000-0000-4000-8000-000000000201"
	sendcoID      = "5c0f0000-0000-4000-8000-000000000101"
)

var signingKey = []byte("a test signing key of 32+ characters!")

type notifier struct {
	t     *testing.T
	acts  *Activities
	env   *testsuite.TestActivityEnvironment
	links *web.Links
}

func newNotifier(t *testing.T) *notifier {
	pool := testenv.Pool(t)
	if err := seed.Demo(context.Background(), pool); err != nil {
		t.Fatal(err)
	}
	links := web.NewLinks(signingKey, publicURL)
	a := &Activities{Store: &store.Store{DB: pool}, Outbox: &email.Outbox{DB: pool}, PublicURL: publicURL, Links: links}
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.RegisterActivityWithOptions(a.Notify, activity.RegisterOptions{Name: workflows.ActivityNotify})
	return &notifier{t: t, acts: a, env: env, links: links}
}

func (n *notifier) notify(notice workflows.Notice) {
	n.t.Helper()
	if _, err := n.env.ExecuteActivity(workflows.ActivityNotify, notice); err != nil {
		n.t.Fatalf("notify %s: %v", notice.Template, err)
	}
}

// mail returns the text bodies queued under a notice's key, by recipient address.
func (n *notifier) mail(key string) map[string]string {
	n.t.Helper()
	rows, err := n.acts.Outbox.DB.Query(context.Background(),
		`SELECT to_address, text_body FROM email_outbox WHERE idempotency_key LIKE $1 || '/%'`, key)
	if err != nil {
		n.t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var to, body string
		if err := rows.Scan(&to, &body); err != nil {
			n.t.Fatal(err)
		}
		out[to] = body
	}
	return out
}

var linkRE = regexp.MustCompile(`https://sendflow\.example/\S+`)

// claimIn finds the link in a body, checks it opens the named parent page and returns what it
// allows, as the parent pages will read it.
func (n *notifier) claimIn(body, page, action string) onetap.Claim {
	n.t.Helper()
	link := linkRE.FindString(body)
	if !strings.HasPrefix(link, publicURL+"/parent/"+page+"?t=") {
		n.t.Fatalf("the parent's email links to %q, want the %s page:\n%s", link, page, body)
	}
	u, err := url.Parse(link)
	if err != nil {
		n.t.Fatal(err)
	}
	c, err := n.links.Signer().VerifyAction(u.Query().Get("t"), action, time.Now())
	if err != nil {
		n.t.Fatalf("the %s link does not open the page: %v", page, err)
	}
	return c
}

// Parents' copies of workflow emails carry their own signed link to a small page; staff copies
// link to the pupil's page, where staff sign in.
func TestParentsEmailsLinkToTheirOwnPages(t *testing.T) {
	n := newNotifier(t)
	amara := seed.PupilAmaraID

	n.notify(workflows.Notice{Key: "t/invite", Template: "review_invitation", To: []string{workflows.ToParents},
		PupilID: amara, SchoolID: seed.DemoSchoolID, Vars: map[string]string{"ReviewDate": "12 January 2027"},
		LinkPath: "/v1/pupils/" + amara + "/pathway", Parents: workflows.ParentPage{Kind: workflows.PageViews, Cycle: 2}})
	c := n.claimIn(n.mail("t/invite")["parent.amara@example.org"], "views", onetap.ActionReviewViews)
	if c.Parent != amaraParentID || c.Pupil != amara || c.Ref != "cycle/2" || c.Nonce == "" {
		t.Errorf("views link claim = %+v, want Amara's parent, Amara, cycle 2, single use", c)
	}

	n.notify(workflows.Notice{Key: "t/consent", Template: "consent_request", To: []string{workflows.ToParents},
		PupilID: amara, SchoolID: seed.DemoSchoolID, LinkPath: "/v1/pupils/" + amara + "/pathway",
		Parents: workflows.ParentPage{Kind: workflows.PageConsent, ReferralID: "ref-1"}})
	if c := n.claimIn(n.mail("t/consent")["parent.amara@example.org"], "consent", onetap.ActionConsent); c.Ref != "ref-1" ||
		c.Parent != amaraParentID {
		t.Errorf("consent link claim = %+v, want referral ref-1 for Amara's parent", c)
	}

	n.notify(
		workflows.Notice{
			Key:      "t/outcome",
			Template: "review_outcome",
			To:       []string{workflows.ToParents, workflows.ToSENDCo},
			PupilID:  amara,
			SchoolID: seed.DemoSchoolID,
			Vars:     map[string]string{"ReviewDate": "12 January 2027"},
			LinkPath: "/v1/pupils/" + amara + "/pathway",
		},
	)
	sent := n.mail("t/outcome")
	if c := n.claimIn(sent["parent.amara@example.org"], "plan", onetap.ActionViewPlan); c.Pupil != amara {
		t.Errorf("plan link claim = %+v", c)
	}
	if !strings.Contains(sent["sendco@oakfield.example"], publicURL+"/pupils/"+amara) ||
		strings.Contains(sent["sendco@oakfield.example"], "/v1/") {
		t.Errorf("the SENDCo's copy should link to the pupil's page:\n%s", sent["sendco@oakfield.example"])
	}
}

// A parent already invited to the review meeting is not sent the cycle's own invitation; once the
// meeting is cancelled, they are again.
func TestBookedReviewMeetingReplacesTheCyclesInvitation(t *testing.T) {
	n := newNotifier(t)
	amara := seed.PupilAmaraID
	invite := func(key string) workflows.Notice {
		return workflows.Notice{
			Key:      key,
			Template: "review_invitation",
			To:       []string{workflows.ToParents, workflows.ToSENDCo},
			PupilID:  amara,
			SchoolID: seed.DemoSchoolID,
			Vars:     map[string]string{"ReviewDate": "12 January 2027"},
			LinkPath: "/v1/pupils/" + amara + "/pathway",
			Parents:  workflows.ParentPage{Kind: workflows.PageViews, Cycle: 1, SkipIfMeetingBooked: true},
		}
	}
	st := n.acts.Store
	ctx := context.Background()
	meeting := "6d000000-0000-4000-8000-000000000001"
	// The pathway accepts each change with its projection, as it does in a workflow.
	version := int64(0)
	accept := func(c store.MeetingChange) {
		t.Helper()
		if err := st.ProposeMeetingChange(ctx, c); err != nil {
			t.Fatal(err)
		}
		version++
		if err := st.Project(ctx, store.Projection{PupilID: amara, SchoolID: seed.DemoSchoolID, Kind: "pathway", Status: "sen_support",
			Version: version, State: []byte(`{}`), Accept: []store.RecordRef{{Kind: string(workflows.RecordMeetingChange), ID: c.ID}},
			UpdatedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	accept(store.MeetingChange{ID: "6d000000-0000-4000-8000-0000000000c1", Kind: store.MeetingCreate, By: sendcoID,
		Meeting: &store.Meeting{
			ID:              meeting,
			PupilID:         amara,
			Kind:            "review",
			Cycle:           1,
			StartsAt:        time.Now().AddDate(0, 0, 20),
			DurationMinutes: 60,
			Location:        "the library",
			CreatedBy:       sendcoID,
		}})
	n.notify(invite("t/booked"))
	sent := n.mail("t/booked")
	if _, ok := sent["parent.amara@example.org"]; ok {
		t.Errorf("the parent was sent the cycle's invitation although the review meeting is booked")
	}
	if _, ok := sent["sendco@oakfield.example"]; !ok {
		t.Errorf("staff copies are not held back by a booked meeting")
	}

	accept(
		store.MeetingChange{
			ID:        "6d000000-0000-4000-8000-0000000000c2",
			Kind:      store.MeetingCancel,
			MeetingID: meeting,
			By:        sendcoID,
		},
	)
	n.notify(invite("t/cancelled"))
	if _, ok := n.mail("t/cancelled")["parent.amara@example.org"]; !ok {
		t.Errorf("with the meeting cancelled the parent should get the cycle's invitation")
	}
}

// A parent who prefers Polish gets the workflow's emails in Polish, and the outbox records it;
// the SENDCo's copy of the same notice stays English.
func TestParentsEmailsInTheirLanguage(t *testing.T) {
	n := newNotifier(t)
	amara := seed.PupilAmaraID
	if _, err := n.acts.Store.DB.Exec(context.Background(),
		`UPDATE pupil_parents SET preferred_language = 'pl-PL' WHERE pupil_id = $1 AND user_id = $2`, amara, amaraParentID); err != nil {
		t.Fatal(err)
	}
	n.notify(
		workflows.Notice{
			Key:      "t/outcome",
			Template: "review_outcome",
			To:       []string{workflows.ToParents, workflows.ToSENDCo},
			PupilID:  amara,
			SchoolID: seed.DemoSchoolID,
			Vars:     map[string]string{"ReviewDate": "12 January 2027"},
			LinkPath: "/v1/pupils/" + amara + "/pathway",
		},
	)
	langs := map[string]string{}
	htmls := map[string]string{}
	rows, err := n.acts.Store.DB.Query(context.Background(),
		`SELECT to_address, language, html_body FROM email_outbox WHERE idempotency_key LIKE 't/outcome/%'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var to, lang, html string
		if err := rows.Scan(&to, &lang, &html); err != nil {
			t.Fatal(err)
		}
		langs[to], htmls[to] = lang, html
	}
	if langs["parent.amara@example.org"] != "pl" ||
		!strings.Contains(htmls["parent.amara@example.org"], `<html lang="pl">`) {
		t.Errorf("the Polish parent's email is %q, want pl with <html lang=\"pl\">", langs["parent.amara@example.org"])
	}
	if body := n.mail("t/outcome")["parent.amara@example.org"]; !strings.Contains(body, "12 stycznia 2027") ||
		strings.Contains(body, "January") {
		t.Errorf("the Polish email should give the date in Polish:\n%s", body)
	}
	if langs["sendco@oakfield.example"] != "en" ||
		!strings.Contains(htmls["sendco@oakfield.example"], `<html lang="en">`) {
		t.Errorf("the SENDCo's copy is %q, want en", langs["sendco@oakfield.example"])
	}
	if body := n.mail("t/outcome")["sendco@oakfield.example"]; !strings.Contains(body, "12 January 2027") {
		t.Errorf("the SENDCo's copy should give the date in English:\n%s", body)
	}
}
