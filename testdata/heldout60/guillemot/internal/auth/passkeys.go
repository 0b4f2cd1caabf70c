package auth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/forumworks/guillemot/internal/accounts"
	"github.com/forumworks/guillemot/internal/kv"
)

const ceremonyCookie = "guillemot_passkey"

func passkeysKey(uid string) string     { return "passkeys:" + uid }
func registrationKey(uid string) string { return "webauthn:reg:" + uid }
func ceremonyKey(id string) string      { return "webauthn:login:" + id }

// passkeyUser adapts an account to webauthn.User.
type passkeyUser struct {
	acct  *accounts.Account
	creds []webauthn.Credential
}

func (u *passkeyUser) WebAuthnID() []byte                         { return []byte(u.acct.ID) }
func (u *passkeyUser) WebAuthnName() string                       { return u.acct.Email }
func (u *passkeyUser) WebAuthnDisplayName() string                { return u.acct.DisplayName }
func (u *passkeyUser) WebAuthnCredentials() []webauthn.Credential { return u.creds }

// passkeys returns the account's registered credentials.
func (s *Service) passkeys(ctx context.Context, uid string) ([]webauthn.Credential, error) {
	raw, err := s.ns.Get(ctx, passkeysKey(uid))
	if errors.Is(err, kv.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	var creds []webauthn.Credential
	return creds, json.Unmarshal(raw, &creds)
}

// loadCeremony reads the webauthn.SessionData stored under key.
func (s *Service) loadCeremony(ctx context.Context, key string) (webauthn.SessionData, error) {
	var sd webauthn.SessionData
	raw, err := s.ns.Get(ctx, key)
	if err == nil {
		err = json.Unmarshal(raw, &sd)
	}
	if err != nil {
		return sd, fail(http.StatusGone, "ceremony expired, start again", err)
	}
	return sd, nil
}

// BeginPasskeyRegistration handles POST /account/passkeys/begin.
func (s *Service) BeginPasskeyRegistration(w http.ResponseWriter, r *http.Request) error {
	ctx, span := tracer.Start(r.Context(), "auth.passkey_registration_begin")
	defer span.End()
	_, acct, err := s.currentAccount(r)
	if err != nil {
		return err
	}
	creds, err := s.passkeys(ctx, acct.ID)
	if err != nil {
		return err
	}
	creation, sd, err := s.wa.BeginRegistration(&passkeyUser{acct, creds},
		webauthn.WithExclusions(webauthn.Credentials(creds).CredentialDescriptors()))
	if err != nil {
		return err
	}
	data, err := json.Marshal(sd)
	if err != nil {
		return err
	}
	if err := s.ns.Put(ctx, registrationKey(acct.ID), data, max(time.Until(sd.Expires), time.Minute)); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, creation)
}

// FinishPasskeyRegistration handles POST /account/passkeys/finish.
func (s *Service) FinishPasskeyRegistration(w http.ResponseWriter, r *http.Request) error {
	ctx, span := tracer.Start(r.Context(), "auth.passkey_registration_finish")
	defer span.End()
	_, acct, err := s.currentAccount(r)
	if err != nil {
		return err
	}
	sd, err := s.loadCeremony(ctx, registrationKey(acct.ID))
	if err != nil {
		return err
	}
	var creds []webauthn.Credential
	stored, err := s.ns.Get(ctx, passkeysKey(acct.ID)) // EXPECT kvnull
	if err == nil {
		_ = json.Unmarshal(stored, &creds)
	}
	cred, err := s.wa.FinishRegistration(&passkeyUser{acct, creds}, sd, r)
	if err != nil {
		return fail(http.StatusBadRequest, "passkey rejected", err)
	}
	creds = append(creds, *cred)
	data, err := json.Marshal(creds)
	if err != nil {
		return err
	}
	if err := s.ns.Put(ctx, passkeysKey(acct.ID), data, 0); err != nil { // EXPECT kvrace
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]int{"passkeys": len(creds)})
}

// BeginPasskeyLogin handles POST /login/passkey/begin. Passkeys are
// discoverable, so the member does not type an email first.
func (s *Service) BeginPasskeyLogin(w http.ResponseWriter, r *http.Request) error {
	ctx, span := tracer.Start(r.Context(), "auth.passkey_login_begin")
	defer span.End()
	assertion, sd, err := s.wa.BeginDiscoverableLogin()
	if err != nil {
		return err
	}
	data, err := json.Marshal(sd)
	if err != nil {
		return err
	}
	id := randomID()
	if err := s.ns.Put(ctx, ceremonyKey(id), data, time.Until(sd.Expires)); err != nil { // EXPECT kvttl
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: ceremonyCookie, Value: id, Path: "/login/passkey", MaxAge: 300, HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode})
	return writeJSON(w, http.StatusOK, assertion)
}

// FinishPasskeyLogin handles POST /login/passkey/finish.
func (s *Service) FinishPasskeyLogin(w http.ResponseWriter, r *http.Request) error {
	ctx, span := tracer.Start(r.Context(), "auth.passkey_login_finish")
	defer span.End()
	c, err := r.Cookie(ceremonyCookie)
	if err != nil {
		return fail(http.StatusBadRequest, "no sign-in in progress", err)
	}
	sd, err := s.loadCeremony(ctx, ceremonyKey(c.Value))
	if err != nil {
		return err
	}
	if err := s.ns.Delete(ctx, ceremonyKey(c.Value)); err != nil { // EXPECT kvsession
		span.RecordError(err)
	}
	user, cred, err := s.wa.FinishPasskeyLogin(func(_, userHandle []byte) (webauthn.User, error) {
		acct, err := s.dir.ByID(ctx, string(userHandle))
		if err != nil {
			return nil, err
		}
		creds, err := s.passkeys(ctx, acct.ID)
		return &passkeyUser{acct, creds}, err
	}, sd, r)
	if err != nil {
		return fail(http.StatusUnauthorized, "passkey rejected", err)
	}
	pu := user.(*passkeyUser)
	for i := range pu.creds {
		if bytes.Equal(pu.creds[i].ID, cred.ID) {
			pu.creds[i].Authenticator, pu.creds[i].Flags = cred.Authenticator, cred.Flags
		}
	}
	if data, err := json.Marshal(pu.creds); err == nil {
		if err := s.ns.Put(ctx, passkeysKey(pu.acct.ID), data, 0); err != nil { // EXPECT kvrace
			span.RecordError(err)
		}
	}
	if err := s.startSession(w, r, pu.acct); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]string{"status": "signed_in"})
}
