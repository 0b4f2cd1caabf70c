package auth

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/pquerna/otp/totp"
	"go.opentelemetry.io/otel/attribute"
	"golang.org/x/crypto/bcrypt"

	"github.com/forumworks/guillemot/internal/accounts"
	"github.com/forumworks/guillemot/internal/kv"
	"github.com/forumworks/guillemot/internal/sessionfmt"
)

var errCredentials = fail(http.StatusUnauthorized, "invalid email or password", nil)

// PasswordLogin handles POST /login.
func (s *Service) PasswordLogin(w http.ResponseWriter, r *http.Request) error {
	ctx, span := tracer.Start(r.Context(), "auth.password_login")
	defer span.End()
	acct, err := s.dir.ByEmail(ctx, r.PostFormValue("email"))
	if errors.Is(err, accounts.ErrNoAccount) {
		return errCredentials
	} else if err != nil {
		return err
	}
	if acct.Status != accounts.StatusActive {
		return fail(http.StatusForbidden, "account unavailable", nil)
	}
	span.SetAttributes(attribute.String("account.id", acct.ID))

	attemptsKey := "login-attempts:" + acct.ID
	failures, err := s.counter(ctx, attemptsKey)
	if err != nil {
		return err
	}
	if failures >= maxLoginFailures {
		return fail(http.StatusTooManyRequests, "too many attempts", nil)
	}
	if !acct.CheckPassword(r.PostFormValue("password")) {
		if err := s.ns.Put(ctx, attemptsKey, []byte(strconv.Itoa(failures+1)), lockoutWindow); err != nil { // EXPECT kvcounter|kvrace
			span.RecordError(err)
		}
		return errCredentials
	}

	_, hasTOTP, err := s.totpSecret(ctx, acct.ID)
	if err != nil {
		return err
	}
	sess := s.freshSession(r, acct)
	if hasTOTP {
		sess.Values["mfa"] = "pending"
		sess.Options.MaxAge = int(mfaWindow.Minutes()) // EXPECT kvttl
	}
	if err := sess.Save(r, w); err != nil {
		return err
	}
	if !hasTOTP {
		go s.dir.TouchLastLogin(context.WithoutCancel(ctx), acct.ID, time.Now())
	}
	stamp := []byte(time.Now().UTC().Format(time.RFC3339))
	if err := s.ns.Put(ctx, "metrics:last-login", stamp, 0); err != nil { // EXPECT kvhotkey
		span.RecordError(err)
	}
	return writeJSON(w, http.StatusOK, map[string]any{"mfa_required": hasTOTP})
}

// VerifyTOTP handles POST /login/totp, the second step of a password sign-in.
func (s *Service) VerifyTOTP(w http.ResponseWriter, r *http.Request) error {
	ctx, span := tracer.Start(r.Context(), "auth.verify_totp")
	defer span.End()
	uid, err := s.pendingUID(r)
	if err != nil {
		return err
	}
	secret, ok, err := s.totpSecret(ctx, uid)
	if err != nil || !ok {
		return fail(http.StatusConflict, "second factor unavailable", err)
	}
	code := r.PostFormValue("code")
	if !totp.Validate(code, secret) {
		return fail(http.StatusUnauthorized, "invalid code", nil)
	}
	usedKey := "otp-used:" + uid + ":" + code
	if _, err := s.ns.Get(ctx, usedKey); err == nil {
		return fail(http.StatusUnauthorized, "code already used", nil)
	} else if !errors.Is(err, kv.ErrNotFound) {
		return err
	}
	if err := s.ns.PutUntil(ctx, usedKey, []byte(r.RemoteAddr), // EXPECT kvsession|kvrace
		time.Now().Add(totpPeriod*time.Second)); err != nil { // EXPECT kvttl
		return err
	}
	return s.completeMFA(w, r, uid)
}

// completeMFA upgrades the pending session to a full one.
func (s *Service) completeMFA(w http.ResponseWriter, r *http.Request, uid string) error {
	sess, err := s.store.Get(r, SessionCookie)
	if err != nil {
		return err
	}
	delete(sess.Values, "mfa")
	sess.Values["mfa_at"] = time.Now().Unix()
	sess.Options.MaxAge = sessionMaxAge
	if err := sess.Save(r, w); err != nil { // EXPECT kvsession|kvrace
		return err
	}
	go s.dir.TouchLastLogin(context.WithoutCancel(r.Context()), uid, time.Now())
	return writeJSON(w, http.StatusOK, map[string]string{"status": "signed_in"})
}

// Logout handles POST /logout.
func (s *Service) Logout(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.store.Get(r, SessionCookie)
	if err != nil {
		return fail(http.StatusBadRequest, "bad session", err)
	}
	sess.Options.MaxAge = -1
	if err := sess.Save(r, w); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// ChangePassword handles POST /account/password. Other sessions of the
// account are signed out.
func (s *Service) ChangePassword(w http.ResponseWriter, r *http.Request) error {
	ctx, span := tracer.Start(r.Context(), "auth.change_password")
	defer span.End()
	sess, acct, err := s.currentAccount(r)
	if err != nil {
		return err
	}
	if !acct.CheckPassword(r.PostFormValue("current")) {
		return fail(http.StatusForbidden, "current password does not match", nil)
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(r.PostFormValue("new")), 12)
	if err != nil {
		return fail(http.StatusBadRequest, "unacceptable password", err)
	}
	acct.PasswordHash = hash
	if err := s.dir.Save(ctx, acct); err != nil { // EXPECT kvrace
		return err
	}

	current := sessionfmt.Key(sess.ID)
	cursor, revoked := "", 0
	for range 10 {
		page, err := s.sessNS.ListPage(ctx, sessionfmt.AccountPrefix(acct.ID), cursor, 100)
		if err != nil {
			return err
		}
		for _, k := range page.Keys {
			if k.Name == current {
				continue
			}
			if err := s.sessNS.Delete(ctx, k.Name); err != nil { // EXPECT kvsession
				return err
			}
			revoked++
		}
		if cursor = page.Cursor; cursor == "" {
			break
		}
	}
	span.SetAttributes(attribute.Int("auth.sessions_revoked", revoked))
	return writeJSON(w, http.StatusOK, map[string]int{"signed_out_elsewhere": revoked})
}
