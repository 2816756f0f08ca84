package app

import (
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sendflow/sendflow/internal/devkit/seed"
	"github.com/sendflow/sendflow/internal/devkit/testenv"
	"github.com/sendflow/sendflow/internal/onetap"
	"github.com/sendflow/sendflow/internal/web"
)

// TestParentPassport (issue 16): a parent signs in from their email, follows "All about Amara"
// from their home page, reads the latest version of her profile and adds their words: a new
// version, saved through the service layer with the parent as its author, which staff see. The
// same form sent twice is one version; a parent who is not Amara's does not find the page.
func TestParentPassport(t *testing.T) {
	t.Parallel()
	j := journeyOn(t, devConfig(t, t.TempDir(), testenv.DatabaseURL(t)))
	amara := seed.PupilAmaraID
	j.post(
		teacher,
		"/v1/pupils/"+amara+"/passport",
		`{"liked":"I make people laugh.","important":"My cat Biscuit.",`+
			`"support":"Tell me what is next.","writtenWith":"Amara"}`,
		201,
	)

	j.api.do("POST", "/v1/auth/magic-link", "", nil, `{"email":"parent.amara@example.org"}`)
	home := j.signInFromEmail(t, "home after signing in", "All about Amara")
	link := html.UnescapeString(regexp.MustCompile(`href="(/parent/passport\?[^"]+)"`).FindStringSubmatch(home)[1])
	body := visit(t, "the profile", "GET", j.api.base+link, nil, 200,
		"All about Amara", "The profile now", "Version 1", "I make people laugh.", "My cat Biscuit.",
		`<label for="liked">What people like and admire about me</label>`, "Add your words")
	form := formFields(body, "t", "pupil", "base")
	form.Set("liked", "I make people laugh and I am kind.")
	form.Set("important", "My cat Biscuit and my nan.")
	form.Set("support", "")
	visit(t, "a box left empty", "POST", j.api.base+"/parent/passport", form, 422,
		"Please write something in every box.", `href="#support"`, "My cat Biscuit and my nan.")
	form.Set("support", "Tell me what is coming next; give me time.")
	visit(t, "the parent's words saved", "POST", j.api.base+"/parent/passport", form, 200,
		"Your words are saved in Amara", "Version 2", "by you", "my nan")
	// The same form sent again (a double tap, a resend) is the same save.
	visit(t, "the same form again", "POST", j.api.base+"/parent/passport", form, 200, "Version 2")
	if n := j.scalar(`SELECT count(*) FROM pupil_passports WHERE pupil_id = $1`, amara); n != 2 {
		t.Errorf("%d versions after the parent's form was sent twice, want 2", n)
	}
	if n := j.scalar(`SELECT count(*) FROM pupil_passports WHERE pupil_id = $1 AND saved_by = $2
		AND saved_role = 'parent'`, amara, amaraParentID); n != 1 {
		t.Errorf("%d versions saved by the parent, want 1", n)
	}
	if n := j.scalar(`SELECT count(*) FROM audit_log WHERE pupil_id = $1 AND action = 'passport:update'
		AND actor_id = $2 AND actor_role = 'parent'`, amara, amaraParentID); n < 1 {
		t.Error("the parent's save was not audited")
	}
	if n := j.scalar(`SELECT count(*) FROM audit_log WHERE pupil_id = $1 AND action = 'passport:read'
		AND actor_id = $2 AND actor_role = 'parent'`, amara, amaraParentID); n < 3 {
		t.Errorf("%d of the parent's reads of the profile audited", n)
	}

	// Staff see the new version, authored by the parent.
	b := testenv.NewBrowser(t, j.api.base)
	b.SignIn(teacher)
	status, staff := b.Get("/pupils/" + amara + "/passport")
	wantPage(t, "the profile for staff", status, staff, 200, "my nan", "Grace Okafor (parent)", "Version 1</a>")

	// Leo's parent, signed in, does not find Amara's profile, nor can save to it.
	signer, _ := onetap.NewSigner(web.LinkKey(j.d.Key))
	leoHome, _ := signer.Sign(onetap.Claim{Action: onetap.ActionHome, Parent: "5c0f0000-0000-4000-8000-000000000202",
		Pupil: onetap.AllChildren, Expires: time.Now().Add(time.Hour)})
	visit(t, "another parent", "GET", j.api.base+"/parent/passport?t="+url.QueryEscape(leoHome)+"&pupil="+amara,
		nil, 404)
	form.Set("t", leoHome)
	form.Set("base", "")
	visit(t, "another parent's save", "POST", j.api.base+"/parent/passport", form, 404)
	visit(t, "no child named", "GET", j.api.base+"/parent/passport?t="+url.QueryEscape(leoHome)+"&pupil=x", nil, 404)
	if n := j.scalar(`SELECT count(*) FROM pupil_passports WHERE pupil_id = $1`, amara); n != 2 {
		t.Errorf("%d versions after another parent tried, want 2", n)
	}
	// Leo's parent reaches their own child's (empty) profile, in their home page's words.
	visit(t, "Leo's profile", "GET",
		j.api.base+"/parent/passport?t="+url.QueryEscape(leoHome)+"&pupil="+seed.PupilLeoID, nil, 200,
		"Nobody has written Leo")
	// Other words sent from the same (now old) form are another version, not lost as a repeat.
	other := formFields(body, "t", "pupil", "base")
	other.Set("liked", "I am kind.")
	other.Set("important", "My nan.")
	other.Set("support", "Give me time.")
	visit(t, "other words from the same form", "POST", j.api.base+"/parent/passport", other, 200, "Version 3")
	if strings.Contains(body, "/v1/") {
		t.Error("the parent's page links to the API")
	}
}

// formFields reads the named hidden fields of the form on a page.
func formFields(body string, names ...string) url.Values {
	v := url.Values{}
	for _, n := range names {
		m := regexp.MustCompile(`name="` + n + `" value="([^"]*)"`).FindStringSubmatch(body)
		if m != nil {
			v.Set(n, html.UnescapeString(m[1]))
		}
	}
	return v
}
