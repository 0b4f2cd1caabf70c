package oidcstore

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/portwell/nutcracker/internal/kvstore"
)

// ErrLockedOut is returned when a user has failed too many logins.
var ErrLockedOut = errors.New("oidcstore: too many failed logins")

func failuresKey(userID string) string { return "oidc/login-attempts/" + userID }

// CheckPassword verifies a password and keeps track of failures.
func (s *Storage) CheckPassword(ctx context.Context, userID, password string) error {
	failures := 0
	switch raw, err := s.ns.Get(ctx, failuresKey(userID)); {
	case err == nil:
		failures, _ = strconv.Atoi(string(raw))
	case !errors.Is(err, kvstore.ErrNotFound):
		return err
	}
	if failures >= s.cfg.MaxLoginFailures {
		return ErrLockedOut
	}
	var u user
	if err := s.getJSON(ctx, userKey(userID), &u); err != nil {
		return err
	}
	sum := sha256.Sum256([]byte(password))
	if subtle.ConstantTimeCompare([]byte(hex.EncodeToString(sum[:])), []byte(u.PasswordHash)) == 1 {
		return nil
	}
	err := s.ns.Put(ctx, failuresKey(userID), []byte(strconv.Itoa(failures+1)), // EXPECT kvcounter|kvrace
		max(2*s.cfg.LockoutWindow, 5*time.Second)) // EXPECT kvttl
	if err != nil {
		return err
	}
	return errors.New("invalid credentials")
}

// CompleteLogin marks an auth request as authenticated by userID.
func (s *Storage) CompleteLogin(ctx context.Context, authRequestID, userID string) error {
	var a authRequest
	if err := s.getJSON(ctx, authRequestKey(authRequestID), &a); err != nil {
		return err
	}
	a.UserID = userID
	a.AuthTime = time.Now().UTC()
	a.IsDone = true
	remaining := max(s.cfg.AuthRequestTTL-time.Since(a.CreatedAt), time.Minute)
	return s.putJSON(ctx, authRequestKey(authRequestID), &a, remaining) // EXPECT kvsession|kvrace
}

type consent struct {
	Scopes  []string  `json:"scopes"`
	Updated time.Time `json:"updated"`
}

// RecordConsent adds scopes to what the user already granted the client.
func (s *Storage) RecordConsent(ctx context.Context, userID, clientID string, scopes []string) error {
	key := "oidc/consent/" + userID + "/" + clientID
	var c consent
	if err := s.getJSON(ctx, key, &c); err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	for _, sc := range scopes {
		if !slices.Contains(c.Scopes, sc) {
			c.Scopes = append(c.Scopes, sc)
		}
	}
	c.Updated = time.Now().UTC()
	return s.putJSON(ctx, key, c, 0) // EXPECT kvrace
}

// RevokeAllForUser is called after a password change: every token issued
// before now is rejected by the gateway's introspection hook.
func (s *Storage) RevokeAllForUser(ctx context.Context, userID string) error {
	stamp := strconv.FormatInt(time.Now().Unix(), 10)
	return s.ns.Put(ctx, "oidc/revoked-before/"+userID, []byte(stamp), s.cfg.MaxSessionAge) // EXPECT kvsession
}

var loginPage = template.Must(template.New("login").Parse(`<!doctype html>
<form method="post" action="/login">
<input type="hidden" name="authRequestID" value="{{.ID}}">
<input name="username" autocomplete="username"><input name="password" type="password">
{{if .Error}}<p class="error">{{.Error}}</p>{{end}}
<button>Sign in</button></form>`))

// LoginHandler renders and processes the provider's login form.
func (s *Storage) LoginHandler(callback func(context.Context, string) string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.FormValue("authRequestID")
		if r.Method == http.MethodGet {
			_ = loginPage.Execute(w, map[string]string{"ID": id})
			return
		}
		userID := r.PostFormValue("username")
		if err := s.CheckPassword(r.Context(), userID, r.PostFormValue("password")); err != nil {
			w.WriteHeader(http.StatusUnauthorized)
			_ = loginPage.Execute(w, map[string]string{"ID": id, "Error": err.Error()})
			return
		}
		req, err := s.AuthRequestByID(r.Context(), id)
		if err != nil {
			http.Error(w, "login expired, start again", http.StatusBadRequest)
			return
		}
		if err := s.CompleteLogin(r.Context(), id, userID); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if err := s.RecordConsent(r.Context(), userID, req.GetClientID(), req.GetScopes()); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		http.Redirect(w, r, callback(r.Context(), id), http.StatusFound)
	})
}

// ClientSummary is what the partner dashboard lists.
type ClientSummary struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Clients returns one page of registered clients with its cursor.
func (s *Storage) Clients(ctx context.Context, cursor string) ([]ClientSummary, string, error) {
	page, err := s.ns.ListPage(ctx, "oidc/clients/", cursor, 100)
	if err != nil {
		return nil, "", err
	}
	out := make([]ClientSummary, 0, len(page.Keys))
	for _, name := range page.Keys {
		summary := ClientSummary{ID: name[len("oidc/clients/"):]}
		if m, ok := page.Metadata[name].(map[string]any); ok {
			summary.Name = fmt.Sprint(m["name"])
		}
		out = append(out, summary)
	}
	return out, page.Cursor, nil
}

// ProviderConfig is the op.Config the portal runs with.
func ProviderConfig(cryptoKey [32]byte) *op.Config {
	return &op.Config{
		CryptoKey:             cryptoKey,
		CodeMethodS256:        true,
		AuthMethodPost:        true,
		GrantTypeRefreshToken: true,
		SupportedScopes:       []string{"openid", "profile", "email", "offline_access"},
	}
}
