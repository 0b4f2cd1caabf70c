// Package mfa implements the studio's second factors: passkeys (WebAuthn)
// and TOTP with recovery codes. Ceremony state and secrets live in KV.
package mfa

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"

	"github.com/framewell/stilt/internal/kvstore"
)

var tracer = otel.Tracer("stilt/mfa")

// ErrNoCeremony is returned by the Finish methods when no matching Begin is
// on record (it expired or was already used).
var ErrNoCeremony = errors.New("mfa: no pending ceremony")

// Account is a studio user as the WebAuthn library sees it.
type Account struct {
	ID          string
	Email       string
	Credentials []webauthn.Credential
}

func (a *Account) WebAuthnID() []byte                         { return []byte(a.ID) }
func (a *Account) WebAuthnName() string                       { return a.Email }
func (a *Account) WebAuthnDisplayName() string                { return a.Email }
func (a *Account) WebAuthnCredentials() []webauthn.Credential { return a.Credentials }

// Passkeys runs registration and login ceremonies.
type Passkeys struct {
	wa *webauthn.WebAuthn
	ns *kvstore.Namespace
}

// NewPasskeys configures the relying party.
func NewPasskeys(ns *kvstore.Namespace, rpID string, origins []string) (*Passkeys, error) {
	wa, err := webauthn.New(&webauthn.Config{
		RPID:          rpID,
		RPDisplayName: "Framewell Studio",
		RPOrigins:     origins,
		Timeouts: webauthn.TimeoutsConfig{
			Login:        webauthn.TimeoutConfig{Enforce: true, Timeout: 2 * time.Minute, TimeoutUVD: 2 * time.Minute},
			Registration: webauthn.TimeoutConfig{Enforce: true, Timeout: 5 * time.Minute, TimeoutUVD: 5 * time.Minute},
		},
	})
	if err != nil {
		return nil, err
	}
	return &Passkeys{wa: wa, ns: ns}, nil
}

func credsKey(uid string) string { return "webauthn:creds:" + uid }

func ceremonyKey(kind, uid string) string { return "webauthn:" + kind + ":" + uid }

// Account loads the user's registered credentials.
func (p *Passkeys) Account(ctx context.Context, id, email string) (*Account, error) {
	acct := &Account{ID: id, Email: email}
	raw, err := p.ns.Get(ctx, credsKey(id))
	if errors.Is(err, kvstore.ErrNotFound) {
		return acct, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(raw, &acct.Credentials); err != nil {
		return nil, fmt.Errorf("mfa: credentials of %s: %w", id, err)
	}
	return acct, nil
}

// BeginRegistration starts adding a passkey to the user's account.
func (p *Passkeys) BeginRegistration(ctx context.Context, uid, email string) (*protocol.CredentialCreation, error) {
	ctx, span := tracer.Start(ctx, "mfa.BeginRegistration")
	defer span.End()

	acct, err := p.Account(ctx, uid, email)
	if err != nil {
		return nil, err
	}
	creation, sd, err := p.wa.BeginRegistration(acct)
	if err != nil {
		span.RecordError(err)
		return nil, err
	}
	body, err := json.Marshal(sd)
	if err != nil {
		return nil, err
	}
	ttl := time.Until(sd.Expires)
	if ttl < time.Minute {
		ttl = time.Minute
	}
	if err := p.ns.Put(ctx, ceremonyKey("reg", acct.ID), body, ttl); err != nil { // DEBATABLE kvsession
		span.RecordError(err)
		return nil, err
	}
	return creation, nil
}

func (p *Passkeys) takeCeremony(ctx context.Context, key string) (webauthn.SessionData, error) {
	var sd webauthn.SessionData
	raw, err := p.ns.Get(ctx, key)
	if errors.Is(err, kvstore.ErrNotFound) {
		return sd, ErrNoCeremony
	}
	if err != nil {
		return sd, err
	}
	if err := json.Unmarshal(raw, &sd); err != nil {
		return sd, err
	}
	return sd, nil
}

// FinishRegistration verifies the authenticator's response and stores the
// new credential.
func (p *Passkeys) FinishRegistration(ctx context.Context, uid, email string, r *http.Request) error {
	ctx, span := tracer.Start(ctx, "mfa.FinishRegistration")
	defer span.End()

	acct := &Account{ID: uid, Email: email}
	key := ceremonyKey("reg", acct.ID)
	sd, err := p.takeCeremony(ctx, key)
	if err != nil {
		return err
	}
	if err := p.ns.Delete(ctx, key); err != nil { // EXPECT kvsession
		return err
	}
	cred, err := p.wa.FinishRegistration(acct, sd, r)
	if err != nil {
		span.RecordError(err)
		return err
	}

	var creds []webauthn.Credential
	stored, err := p.ns.Get(ctx, credsKey(acct.ID))
	switch {
	case err == nil:
		if err := json.Unmarshal(stored, &creds); err != nil {
			return err
		}
	case !errors.Is(err, kvstore.ErrNotFound):
		return err
	}
	creds = append(creds, *cred)
	body, err := json.Marshal(creds)
	if err != nil {
		return err
	}
	span.SetAttributes(attribute.Int("mfa.credentials", len(creds)))
	return p.ns.Put(ctx, credsKey(acct.ID), body, 0) // EXPECT kvrace
}

// BeginLogin starts a passkey assertion for a user who passed the password
// step.
func (p *Passkeys) BeginLogin(ctx context.Context, uid, email string) (*protocol.CredentialAssertion, error) {
	ctx, span := tracer.Start(ctx, "mfa.BeginLogin")
	defer span.End()

	acct, err := p.Account(ctx, uid, email)
	if err != nil {
		return nil, err
	}
	assertion, sd, err := p.wa.BeginLogin(acct)
	if err != nil {
		span.RecordError(err)
		return nil, err
	}
	body, err := json.Marshal(sd)
	if err != nil {
		return nil, err
	}
	if err := p.ns.Put(ctx, ceremonyKey("login", acct.ID), body, time.Until(sd.Expires)); err != nil { // EXPECT kvttl
		return nil, err
	}
	return assertion, nil
}

// FinishLogin verifies the assertion and records the authenticator's new
// signature counter.
func (p *Passkeys) FinishLogin(ctx context.Context, uid, email string, r *http.Request) (*webauthn.Credential, error) {
	ctx, span := tracer.Start(ctx, "mfa.FinishLogin")
	defer span.End()

	acct, err := p.Account(ctx, uid, email)
	if err != nil {
		return nil, err
	}
	key := ceremonyKey("login", acct.ID)
	sd, err := p.takeCeremony(ctx, key)
	if err != nil {
		return nil, err
	}
	if err := p.ns.Delete(ctx, key); err != nil { // EXPECT kvsession
		return nil, err
	}
	cred, err := p.wa.FinishLogin(acct, sd, r)
	if err != nil {
		span.RecordError(err)
		return nil, err
	}
	if cred.Authenticator.CloneWarning {
		span.SetAttributes(attribute.Bool("mfa.clone_warning", true))
	}
	for i := range acct.Credentials {
		if bytes.Equal(acct.Credentials[i].ID, cred.ID) {
			acct.Credentials[i].Authenticator.SignCount = cred.Authenticator.SignCount
		}
	}
	body, err := json.Marshal(acct.Credentials)
	if err != nil {
		return nil, err
	}
	if err := p.ns.Put(ctx, credsKey(acct.ID), body, 0); err != nil { // EXPECT kvrace
		return nil, err
	}
	return cred, nil
}
