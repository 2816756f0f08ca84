package app

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/sendflow/sendflow/internal/devkit/testenv"
)

// identityProvider is a real OIDC-style token issuer for tests: it publishes its keys at a JWKS
// URL and signs RS256 tokens, as Entra ID and Google do.
type identityProvider struct {
	srv    *httptest.Server
	key    *rsa.PrivateKey
	signer jose.Signer
}

func newIdentityProvider(t *testing.T) *identityProvider {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	idp := &identityProvider{key: key}
	idp.signer, err = jose.NewSigner(
		jose.SigningKey{Algorithm: jose.RS256, Key: key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "k1"),
	)
	if err != nil {
		t.Fatal(err)
	}
	idp.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).
			Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}})
	}))
	t.Cleanup(idp.srv.Close)
	return idp
}

func (idp *identityProvider) token(t *testing.T, signer jose.Signer, claims map[string]any) string {
	t.Helper()
	if signer == nil {
		signer = idp.signer
	}
	tok, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestStaffSignInWithIdentityProvider: staff tokens from the school's identity provider are
// mapped to users by email; anything not right is refused.
func TestStaffSignInWithIdentityProvider(t *testing.T) {
	t.Parallel()
	idp := newIdentityProvider(t)
	issuer := idp.srv.URL
	j := journeyOn(t, devConfig(
		t,
		t.TempDir(),
		testenv.DatabaseURL(t),
		"SENDFLOW_OIDC_ISSUER",
		issuer,
		"SENDFLOW_OIDC_AUDIENCE",
		"api://sendflow",
		"SENDFLOW_OIDC_JWKS_URL",
		idp.srv.URL+"/keys",
	))
	now := time.Now()
	claims := func(extra map[string]any) map[string]any {
		c := map[string]any{
			"iss": issuer,
			"aud": "api://sendflow",
			"sub": "entra-123",
			"iat": now.Unix(),
			"exp": now.Add(time.Hour).Unix(),
		}
		for k, v := range extra {
			c[k] = v
		}
		return c
	}
	otherKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	otherSigner, _ := jose.NewSigner(
		jose.SigningKey{Algorithm: jose.RS256, Key: otherKey},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "k1"),
	)
	cases := []struct {
		name   string
		token  string
		status int
	}{
		{
			"Google-style email claim",
			idp.token(t, nil, claims(map[string]any{"email": "sendco@oakfield.example", "email_verified": true})),
			200,
		},
		{
			"Entra-style preferred_username, other case",
			idp.token(t, nil, claims(map[string]any{"preferred_username": "SENDCO@Oakfield.example"})),
			200,
		},
		{
			"wrong audience",
			idp.token(
				t,
				nil,
				map[string]any{
					"iss":   issuer,
					"aud":   "api://other",
					"email": "sendco@oakfield.example",
					"exp":   now.Add(time.Hour).Unix(),
				},
			),
			401,
		},
		{
			"expired",
			idp.token(
				t,
				nil,
				claims(map[string]any{"email": "sendco@oakfield.example", "exp": now.Add(-time.Minute).Unix()}),
			),
			401,
		},
		{
			"signed by someone else",
			idp.token(t, otherSigner, claims(map[string]any{"email": "sendco@oakfield.example"})),
			401,
		},
		{
			"email not verified",
			idp.token(t, nil, claims(map[string]any{"email": "sendco@oakfield.example", "email_verified": false})),
			401,
		},
		{"not a sendflow user", idp.token(t, nil, claims(map[string]any{"email": "stranger@oakfield.example"})), 401},
		{
			"unknown issuer",
			idp.token(
				t,
				nil,
				map[string]any{
					"iss":   "https://evil.example",
					"aud":   "api://sendflow",
					"email": "sendco@oakfield.example",
					"exp":   now.Add(time.Hour).Unix(),
				},
			),
			401,
		},
		{
			"no issue time",
			idp.token(
				t,
				nil,
				map[string]any{
					"iss":   issuer,
					"aud":   "api://sendflow",
					"email": "sendco@oakfield.example",
					"exp":   now.Add(time.Hour).Unix(),
				},
			),
			401,
		},
		{
			"issued in the future",
			idp.token(
				t,
				nil,
				claims(
					map[string]any{
						"email": "sendco@oakfield.example",
						"iat":   now.Add(time.Hour).Unix(),
						"exp":   now.Add(2 * time.Hour).Unix(),
					},
				),
			),
			401,
		},
		{
			"lives for a month",
			idp.token(
				t,
				nil,
				claims(map[string]any{"email": "sendco@oakfield.example", "exp": now.Add(30 * 24 * time.Hour).Unix()}),
			),
			401,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, body := j.api.do("GET", "/v1/me", tc.token, nil, "")
			if status != tc.status {
				t.Fatalf("GET /v1/me = %d, want %d: %v", status, tc.status, body)
			}
			if status == 200 && !strings.Contains(fmt.Sprint(body["roles"]), "sendco") {
				t.Errorf("roles = %v", body["roles"])
			}
			if status == 401 && body["detail"] == nil {
				t.Errorf("401 without problem details: %v", body)
			}
		})
	}
}

// TestParentMagicLink: the same answer for every address; a link only for parents; one use;
// the session sees the parent's own children and nothing else.
func TestParentMagicLink(t *testing.T) {
	t.Parallel()
	j := journeyOn(t, devConfig(t, t.TempDir(), testenv.DatabaseURL(t)))
	ask := func(email string) map[string]any {
		status, body := j.api.do("POST", "/v1/auth/magic-link", "", nil, fmt.Sprintf(`{"email":%q}`, email))
		if status != 202 {
			t.Fatalf("magic link for %s = %d %v", email, status, body)
		}
		return body
	}
	known, unknown, staff := ask("parent.amara@example.org"), ask("nobody@example.org"), ask("sendco@oakfield.example")
	if known["message"] != unknown["message"] || known["message"] != staff["message"] {
		t.Errorf("answers differ, which tells who has an account: %v / %v / %v", known, unknown, staff)
	}
	text := j.sent("sign_in_link", "parent.amara@example.org")
	m := regexp.MustCompile(`token=([A-Za-z0-9_-]{40,})`).FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no sign-in link in the email:\n%s", text)
	}
	var n int
	_ = j.d.DB.QueryRow(t.Context(), `SELECT count(*) FROM email_outbox WHERE template = 'sign_in_link' AND to_address <> 'parent.amara@example.org'`).
		Scan(&n)
	if n != 0 {
		t.Errorf("%d sign-in links went to people who are not parents", n)
	}
	status, session := j.api.do("POST", "/v1/auth/magic-link/exchange", "", nil, fmt.Sprintf(`{"token":%q}`, m[1]))
	if status != 200 {
		t.Fatalf("exchange = %d %v", status, session)
	}
	tok := session["sessionToken"].(string)
	status, kids := j.api.do("GET", "/v1/me/children", tok, nil, "")
	if status != 200 || !strings.Contains(fmt.Sprint(kids), "Amara") || strings.Contains(fmt.Sprint(kids), "Leo") {
		t.Errorf("children = %d %v", status, kids)
	}
	if status, _ := j.api.do("GET", "/v1/pupils/"+"5c0f0000-0000-4000-8000-0000000000a2"+"/pathway", tok, nil, ""); status != 404 {
		t.Errorf("the session reads another child's pathway: %d", status)
	}
	if status, body := j.api.do("POST", "/v1/auth/magic-link/exchange", "", nil, fmt.Sprintf(`{"token":%q}`, m[1])); status != 401 ||
		!strings.Contains(fmt.Sprint(body["detail"]), "used or has expired") {
		t.Errorf("second use = %d %v, want 401 with a clear reason", status, body)
	}
	if status, _ := j.api.do("POST", "/v1/auth/magic-link/exchange", "", nil, `{"token":"a-made-up-token-of-enough-length-xxxxxxxxxx"}`); status != 401 {
		t.Errorf("made-up token = %d, want 401", status)
	}
}

// TestRateLimit: a client that sends too much gets 429 with Retry-After, sign-in sooner.
func TestRateLimit(t *testing.T) {
	t.Parallel()
	j := journeyOn(t, devConfig(t, t.TempDir(), testenv.DatabaseURL(t), "SENDFLOW_RATE_LIMIT", "60"))
	hit := func(method, path, body string, times int) (int, http.Header) {
		var last int
		var hdr http.Header
		for i := 0; i < times; i++ {
			req, _ := http.NewRequest(method, j.api.base+path, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			last, hdr = resp.StatusCode, resp.Header
			if last == 429 {
				return last, hdr
			}
		}
		return last, hdr
	}
	if status, hdr := hit("POST", "/v1/auth/magic-link", `{"email":"x@example.org"}`, 5); status != 429 ||
		hdr.Get("Retry-After") == "" {
		t.Errorf(
			"sign-in flood: last status %d, Retry-After %q; want 429 with Retry-After",
			status,
			hdr.Get("Retry-After"),
		)
	}
	if status, hdr := hit("GET", "/healthz", "", 40); status != 429 || hdr.Get("Retry-After") == "" {
		t.Errorf("general flood: last status %d; want 429 with Retry-After", status)
	}
}
