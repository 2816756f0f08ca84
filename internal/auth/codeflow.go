package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// CodeFlow signs staff in to the pages with the school's identity provider: the OpenID Connect
// authorization code flow with PKCE and a nonce. The provider is discovered on first use, not at
// start-up, so sendflow starts while the provider is away (and `dev` can serve its own provider
// from the same listener); a failed discovery is tried again on the next sign-in.
type CodeFlow struct {
	Issuer       string
	ClientID     string
	ClientSecret string
	RedirectURL  string
	// HTTPClient, if set, is used to reach the provider.
	HTTPClient *http.Client

	mu       sync.Mutex
	provider *oidc.Provider
}

// Start is a sign-in under way: what the browser's session keeps until the provider sends the
// person back, and where to send them.
type Start struct {
	State, Nonce, Verifier string
	URL                    string
}

// ErrProviderUnavailable means the identity provider could not be reached.
var ErrProviderUnavailable = errors.New("the identity provider is not answering")

func (f *CodeFlow) ctx(ctx context.Context) context.Context {
	if f.HTTPClient != nil {
		return oidc.ClientContext(ctx, f.HTTPClient)
	}
	return ctx
}

func (f *CodeFlow) discover(ctx context.Context) (*oidc.Provider, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.provider != nil {
		return f.provider, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	p, err := oidc.NewProvider(f.ctx(ctx), f.Issuer)
	if err != nil {
		return nil, fmt.Errorf("%w: discover %s: %v", ErrProviderUnavailable, f.Issuer, err)
	}
	f.provider = p
	return p, nil
}

func (f *CodeFlow) config(p *oidc.Provider) *oauth2.Config {
	return &oauth2.Config{ClientID: f.ClientID, ClientSecret: f.ClientSecret, RedirectURL: f.RedirectURL,
		Endpoint: p.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "email", "profile"}}
}

// Begin starts a sign-in: fresh state, nonce and PKCE verifier, and the provider's address to
// send the browser to.
func (f *CodeFlow) Begin(ctx context.Context) (*Start, error) {
	p, err := f.discover(ctx)
	if err != nil {
		return nil, err
	}
	s := &Start{State: random(), Nonce: random(), Verifier: oauth2.GenerateVerifier()}
	s.URL = f.config(p).AuthCodeURL(s.State, oauth2.S256ChallengeOption(s.Verifier), oidc.Nonce(s.Nonce))
	return s, nil
}

// Finish exchanges the code the provider sent back for an ID token, checks it (signature,
// issuer, audience, expiry, the nonce of this sign-in) and returns the email it is for. The state
// must already have been matched against the session's.
func (f *CodeFlow) Finish(ctx context.Context, s *Start, code string) (string, error) {
	p, err := f.discover(ctx)
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	tok, err := f.config(p).Exchange(f.ctx(ctx), code, oauth2.VerifierOption(s.Verifier))
	if err != nil {
		return "", fmt.Errorf("%w: code exchange: %v", ErrInvalidToken, err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return "", fmt.Errorf("%w: the provider sent no ID token", ErrInvalidToken)
	}
	id, err := p.Verifier(&oidc.Config{ClientID: f.ClientID}).Verify(f.ctx(ctx), raw)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrInvalidToken, err)
	}
	if id.Nonce != s.Nonce {
		return "", fmt.Errorf("%w: the ID token is not for this sign-in (nonce)", ErrInvalidToken)
	}
	return emailOf(id)
}

func random() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
