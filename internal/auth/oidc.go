package auth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
)

// MaxIdPLifetime is the longest an identity provider's token may live: Entra ID and Google issue
// tokens for about an hour, so a token that lives for days was not made for signing in.
const MaxIdPLifetime = 24 * time.Hour

// OIDC verifies staff tokens from a school's identity provider (Microsoft Entra ID, Google).
type OIDC struct {
	Issuer   string
	verifier *oidc.IDTokenVerifier
}

// NewOIDC sets up verification for one issuer and audience. With a JWKS URL the keys are fetched
// from it directly; without one, the issuer's discovery document names them.
func NewOIDC(ctx context.Context, issuer, audience, jwksURL string) (*OIDC, error) {
	cfg := &oidc.Config{ClientID: audience}
	if jwksURL != "" {
		return &OIDC{Issuer: issuer, verifier: oidc.NewVerifier(issuer, oidc.NewRemoteKeySet(ctx, jwksURL), cfg)}, nil
	}
	p, err := oidc.NewProvider(ctx, issuer)
	if err != nil {
		return nil, fmt.Errorf("discover OIDC issuer %s: %w", issuer, err)
	}
	return &OIDC{Issuer: issuer, verifier: p.Verifier(cfg)}, nil
}

// Verify checks a token's signature, issuer, audience and expiry and returns the email it is for.
// Entra puts the address in email or preferred_username; Google in email.
func (o *OIDC) Verify(ctx context.Context, raw string) (string, error) {
	tok, err := o.verifier.Verify(ctx, raw)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrInvalidToken, err)
	}
	return emailOf(tok)
}

// emailOf is the verified address an ID token is for: the API's bearer tokens and the pages'
// sign-in check and read it the same way.
func emailOf(tok *oidc.IDToken) (string, error) {
	// go-oidc checks the expiry but not the issue time.
	if tok.IssuedAt.IsZero() || tok.IssuedAt.After(time.Now().Add(clockSkew)) {
		return "", fmt.Errorf("%w: no issue time, or one in the future", ErrInvalidToken)
	}
	if tok.Expiry.Sub(tok.IssuedAt) > MaxIdPLifetime {
		return "", fmt.Errorf("%w: lives longer than %s", ErrInvalidToken, MaxIdPLifetime)
	}
	var c struct {
		Email             string `json:"email"`
		EmailVerified     *bool  `json:"email_verified"`
		PreferredUsername string `json:"preferred_username"`
	}
	if err := tok.Claims(&c); err != nil {
		return "", fmt.Errorf("%w: claims: %v", ErrInvalidToken, err)
	}
	if c.EmailVerified != nil && !*c.EmailVerified {
		return "", fmt.Errorf("%w: the identity provider has not verified this email", ErrInvalidToken)
	}
	email := c.Email
	if email == "" && strings.Contains(c.PreferredUsername, "@") {
		email = c.PreferredUsername
	}
	if email == "" {
		return "", fmt.Errorf("%w: the token carries no email", ErrInvalidToken)
	}
	return email, nil
}

// IssuerOf reads a JWT's issuer without verifying it, to choose the verifier.
func IssuerOf(raw string) (string, error) {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return "", ErrInvalidToken
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "", ErrInvalidToken
	}
	var c struct {
		Iss string `json:"iss"`
	}
	if err := json.Unmarshal(b, &c); err != nil || c.Iss == "" {
		return "", errors.Join(ErrInvalidToken, err)
	}
	return c.Iss, nil
}

// LocalIssuer is the issuer of tokens sendflow signs itself (dev tokens and parent sessions).
const LocalIssuer = issuer
