// Package devidp is the OpenID Connect provider `sendflow dev` runs in-process, so staff sign in
// to the pages in development and in the browser tests through the same code as at a school
// (authorization code flow with PKCE, signed ID tokens, discovery, keys). The protocol is
// zitadel/oidc's provider (pkg/op); this package holds only what a provider must supply: its
// storage (in memory), one client (sendflow), and a page to choose a demo account. It has no
// passwords: never run it in production.
package devidp

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/text/language"

	"github.com/zitadel/oidc/v3/pkg/op"
)

// Person is an account the provider can sign in.
type Person struct {
	ID, Email, Name, Roles string
}

// Directory is who may sign in: the people with staff roles in sendflow's database.
type Directory interface {
	People(ctx context.Context) ([]Person, error)
	Person(ctx context.Context, id string) (*Person, error)
}

// ClientID is the client id sendflow signs in under.
const ClientID = "sendflow-dev"

// Provider is the running provider; mount it at the issuer's path.
type Provider struct {
	Issuer       string
	ClientSecret string
	handler      http.Handler
}

//go:embed login.html
var files embed.FS

var loginPage = template.Must(template.ParseFS(files, "login.html"))

// New builds a provider at issuer (an http(s) URL whose path is where it is mounted) for one
// client that returns to redirectURI. key derives the client secret and the token keys, so they
// stay the same for one data dir.
func New(issuer, redirectURI string, key []byte, dir Directory, logger *slog.Logger) (*Provider, error) {
	u, err := url.Parse(issuer)
	if err != nil {
		return nil, fmt.Errorf("dev identity provider: issuer %q: %w", issuer, err)
	}
	prefix := strings.TrimRight(u.Path, "/")
	signing, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("dev identity provider: signing key: %w", err)
	}
	p := &Provider{Issuer: issuer, ClientSecret: derive(key, "client-secret")}
	st := newStorage(
		dir,
		signing,
		&client{id: ClientID, secret: p.ClientSecret, redirect: redirectURI, loginPath: prefix + "/login"},
	)
	var crypto [32]byte
	copy(crypto[:], []byte(derive(key, "token-key"))[:32])
	provider, err := op.NewProvider(&op.Config{
		CryptoKey:          crypto,
		CodeMethodS256:     true,
		AuthMethodPost:     true,
		SupportedUILocales: []language.Tag{language.English},
	}, st, op.StaticIssuer(issuer), op.WithAllowInsecure(), op.WithLogger(logger.WithGroup("devidp")))
	if err != nil {
		return nil, fmt.Errorf("dev identity provider: %w", err)
	}
	login := &login{st: st, dir: dir, callback: op.AuthCallbackURL(provider), logger: logger}
	mux := http.NewServeMux()
	mux.Handle("/login", op.NewIssuerInterceptor(provider.IssuerFromRequest).Handler(login))
	mux.Handle("/", provider)
	p.handler = http.StripPrefix(prefix, mux)
	return p, nil
}

func (p *Provider) ServeHTTP(w http.ResponseWriter, r *http.Request) { p.handler.ServeHTTP(w, r) }

// derive makes a stable secret for one purpose from the deployment's key.
func derive(key []byte, purpose string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("sendflow dev identity provider: " + purpose))
	return hex.EncodeToString(m.Sum(nil))
}

// login is the provider's sign-in page: choose a demo account.
type login struct {
	st       *storage
	dir      Directory
	callback func(context.Context, string) string
	logger   *slog.Logger
}

type loginView struct {
	RequestID string
	People    []Person
	Error     string
	Chosen    string
}

func (l *login) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Frame-Options", "DENY")
	if err := r.ParseForm(); err != nil {
		http.Error(w, "The form could not be read.", http.StatusBadRequest)
		return
	}
	id := r.Form.Get("authRequestID")
	if !l.st.hasRequest(id) {
		l.render(
			w,
			http.StatusBadRequest,
			loginView{
				Error: "This sign-in has expired or was already used. Go back to sendflow and choose Sign in again.",
			},
		)
		return
	}
	people, err := l.dir.People(r.Context())
	if err != nil {
		l.logger.Error("dev identity provider: list people", "error", err)
		l.render(
			w,
			http.StatusServiceUnavailable,
			loginView{Error: "The list of demo accounts could not be read. Try again in a moment."},
		)
		return
	}
	v := loginView{RequestID: id, People: people}
	if r.Method != http.MethodPost {
		l.render(w, http.StatusOK, v)
		return
	}
	v.Chosen = r.PostForm.Get("email")
	for _, p := range people {
		if strings.EqualFold(p.Email, v.Chosen) {
			if err := l.st.signIn(id, p.ID); err != nil {
				l.render(
					w,
					http.StatusBadRequest,
					loginView{
						Error: "This sign-in has expired or was already used. Go back to sendflow and choose Sign in again.",
					},
				)
				return
			}
			http.Redirect(w, r, l.callback(r.Context(), id), http.StatusFound)
			return
		}
	}
	v.Error = "Choose the account to sign in with."
	l.render(w, http.StatusUnprocessableEntity, v)
}

func (l *login) render(w http.ResponseWriter, status int, v loginView) {
	var b strings.Builder
	if err := loginPage.Execute(&b, v); err != nil {
		l.logger.Error("dev identity provider: render", "error", err)
		http.Error(w, "The page could not be shown.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(b.String()))
}
