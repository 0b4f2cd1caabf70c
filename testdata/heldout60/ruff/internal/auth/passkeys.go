// Package auth signs in the people who manage tenants: passkeys (WebAuthn),
// TOTP with recovery codes, magic links, and JWT API tokens. Short-lived
// ceremony state lives in KV under its own random ID.
package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/ruffgate/ruff/internal/kv"
)

var tracer = otel.Tracer("github.com/ruffgate/ruff/internal/auth")

var (
	ErrUnknownUser     = errors.New("auth: unknown user")
	ErrCeremonyExpired = errors.New("auth: ceremony expired or unknown")
)

const registrationWindow = 10 * time.Minute

// User is a tenant administrator, written by the control plane.
type User struct {
	ID          string                `json:"id"`
	Email       string                `json:"email"`
	Name        string                `json:"name"`
	TenantID    string                `json:"tenant"`
	Credentials []webauthn.Credential `json:"credentials,omitempty"`
}

func (u *User) WebAuthnID() []byte                         { return []byte(u.ID) }
func (u *User) WebAuthnName() string                       { return u.Email }
func (u *User) WebAuthnDisplayName() string                { return u.Name }
func (u *User) WebAuthnCredentials() []webauthn.Credential { return u.Credentials }

func userKey(id string) string { return "user:" + id }

// LoadUser reads the user record id from ns.
func LoadUser(ctx context.Context, ns *kv.Namespace, id string) (*User, error) {
	var u User
	if err := getJSON(ctx, ns, userKey(id), &u); err != nil {
		if errors.Is(err, kv.ErrNotFound) {
			return nil, ErrUnknownUser
		}
		return nil, err
	}
	return &u, nil
}

func getJSON(ctx context.Context, ns *kv.Namespace, key string, v any) error {
	raw, err := ns.Get(ctx, key)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}

func randomID(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// Passkeys runs WebAuthn ceremonies. SessionData from Begin* is parked in KV
// under a random ceremony ID that the browser sends back.
type Passkeys struct {
	wa *webauthn.WebAuthn
	ns *kv.Namespace
}

// NewPasskeys returns a Passkeys for the relying party described by cfg.
func NewPasskeys(cfg *webauthn.Config, ns *kv.Namespace) (*Passkeys, error) {
	wa, err := webauthn.New(cfg)
	if err != nil {
		return nil, err
	}
	return &Passkeys{wa: wa, ns: ns}, nil
}

// BeginLogin starts an assertion for userID.
func (p *Passkeys) BeginLogin(ctx context.Context, userID string) (*protocol.CredentialAssertion, string, error) {
	ctx, span := tracer.Start(ctx, "passkeys.begin_login", trace.WithAttributes(attribute.String("user.id", userID)))
	defer span.End()

	user, err := LoadUser(ctx, p.ns, userID)
	if err != nil {
		return nil, "", err
	}
	assertion, sd, err := p.wa.BeginLogin(user)
	if err != nil {
		span.RecordError(err)
		return nil, "", err
	}
	raw, _ := json.Marshal(sd)
	id := randomID(24)
	if err := p.ns.Put(ctx, "webauthn:login:"+id, raw, max(time.Until(sd.Expires), time.Minute)); err != nil { // DEBATABLE kvsession
		return nil, "", err
	}
	return assertion, id, nil
}

// FinishLogin verifies the assertion in r against ceremony id.
func (p *Passkeys) FinishLogin(ctx context.Context, id, userID string, r *http.Request) (*User, error) {
	ctx, span := tracer.Start(ctx, "passkeys.finish_login", trace.WithAttributes(attribute.String("user.id", userID)))
	defer span.End()

	var sd webauthn.SessionData
	if err := getJSON(ctx, p.ns, "webauthn:login:"+id, &sd); err != nil {
		return nil, ErrCeremonyExpired
	}
	user, err := LoadUser(ctx, p.ns, userID)
	if err != nil {
		return nil, err
	}
	if _, err := p.wa.FinishLogin(user, sd, r); err != nil {
		span.RecordError(err)
		return nil, err
	}
	if err := p.ns.Delete(ctx, "webauthn:login:"+id); err != nil { // EXPECT kvsession
		span.RecordError(err)
	}
	return user, nil
}

// BeginRegistration starts enrolling a new passkey for user.
func (p *Passkeys) BeginRegistration(ctx context.Context, user *User) (*protocol.CredentialCreation, string, error) {
	creation, sd, err := p.wa.BeginRegistration(user,
		webauthn.WithExclusions(webauthn.Credentials(user.Credentials).CredentialDescriptors()))
	if err != nil {
		return nil, "", err
	}
	if sd.Expires.IsZero() {
		sd.Expires = time.Now().Add(registrationWindow)
	}
	raw, _ := json.Marshal(sd)
	id := randomID(24)
	if err := p.ns.PutUntil(ctx, "webauthn:register:"+id, raw, sd.Expires); err != nil {
		return nil, "", err
	}
	return creation, id, nil
}

// FinishRegistration verifies the attestation in r and adds the credential
// to the user's record.
func (p *Passkeys) FinishRegistration(ctx context.Context, id, userID string, r *http.Request) error {
	var sd webauthn.SessionData
	if err := getJSON(ctx, p.ns, "webauthn:register:"+id, &sd); err != nil {
		return ErrCeremonyExpired
	}
	user, err := LoadUser(ctx, p.ns, userID)
	if err != nil {
		return err
	}
	cred, err := p.wa.FinishRegistration(user, sd, r)
	if err != nil {
		return err
	}
	user.Credentials = append(user.Credentials, *cred)
	raw, err := json.Marshal(user)
	if err != nil {
		return err
	}
	return p.ns.Put(ctx, userKey(user.ID), raw, 0) // EXPECT kvrace|kvsession
}
