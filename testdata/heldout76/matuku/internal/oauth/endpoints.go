// Package oauth serves the gateway's OAuth 2.0 endpoints: token introspection
// (RFC 7662) for internal tools that validate tokens themselves, revocation
// (RFC 7009), client registration for tool owners, and the device
// authorization grant (RFC 8628) used by CLIs and kiosks.
package oauth

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"time"

	"matuku/internal/kvstore"
	"matuku/internal/tokens"
)

// Client is a registered OAuth client (a tool, a CLI, a resource server).
type Client struct {
	ID           string    `json:"client_id"`
	Name         string    `json:"name"`
	SecretSHA256 []byte    `json:"secret_sha256,omitempty"`
	Owner        string    `json:"owner"`
	Scopes       []string  `json:"scopes"`
	Introspect   bool      `json:"may_introspect"`
	DailyQuota   int       `json:"daily_introspection_quota"`
	CreatedAt    time.Time `json:"created_at"`
}

// Server holds the OAuth endpoints.
type Server struct {
	KV     *kvstore.Store
	Tokens *tokens.Service
	Log    *slog.Logger
	Issuer string
}

func clientKey(id string) string { return "client:" + id }

func (s *Server) client(ctx context.Context, id string) (*Client, error) {
	raw, err := s.KV.Get(ctx, clientKey(id))
	if err != nil {
		return nil, err
	}
	var c Client
	if err := json.Unmarshal(raw, &c); err != nil {
		return nil, err
	}
	return &c, nil
}

// authenticate checks HTTP Basic client credentials.
func (s *Server) authenticate(r *http.Request) (*Client, bool) {
	id, secret, ok := r.BasicAuth()
	if !ok {
		return nil, false
	}
	c, err := s.client(r.Context(), id)
	if err != nil {
		return nil, false
	}
	sum := sha256.Sum256([]byte(secret))
	return c, subtle.ConstantTimeCompare(sum[:], c.SecretSHA256) == 1
}

type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description,omitempty"`
	Interval    int    `json:"interval,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// IntrospectionResponse is the RFC 7662 §2.2 response.
type IntrospectionResponse struct {
	Active    bool   `json:"active"`
	Scope     string `json:"scope,omitempty"`
	ClientID  string `json:"client_id,omitempty"`
	Subject   string `json:"sub,omitempty"`
	TokenType string `json:"token_type,omitempty"`
	Exp       int64  `json:"exp,omitempty"`
	Iat       int64  `json:"iat,omitempty"`
	Iss       string `json:"iss,omitempty"`
	JTI       string `json:"jti,omitempty"`
}

type usage struct {
	Day   string `json:"day"`
	Count int    `json:"count"`
}

// chargeIntrospection counts the caller's introspections against its daily
// quota and reports whether it may make another.
func (s *Server) chargeIntrospection(ctx context.Context, c *Client) (bool, error) {
	day := time.Now().UTC().Format(time.DateOnly)
	key := "quota:introspect:" + c.ID + ":" + day
	u := usage{Day: day}
	if raw, err := s.KV.Get(ctx, key); err == nil {
		_ = json.Unmarshal(raw, &u)
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return false, err
	}
	if c.DailyQuota > 0 && u.Count >= c.DailyQuota {
		return false, nil
	}
	u.Count++
	b, _ := json.Marshal(u)
	return true, s.KV.Put(ctx, key, b, 48*time.Hour) // EXPECT kvcounter|kvrace
}

// Introspect serves POST /oauth/introspect.
func (s *Server) Introspect(w http.ResponseWriter, r *http.Request) {
	c, ok := s.authenticate(r)
	if !ok || !c.Introspect {
		w.Header().Set("WWW-Authenticate", `Basic realm="introspection"`)
		writeJSON(w, http.StatusUnauthorized, oauthError{Error: "invalid_client"})
		return
	}
	ctx := r.Context()
	if allowed, err := s.chargeIntrospection(ctx, c); err != nil {
		s.Log.Warn("introspection quota", "client", c.ID, "err", err)
	} else if !allowed {
		writeJSON(w, http.StatusTooManyRequests, oauthError{Error: "quota_exceeded"})
		return
	}

	raw := r.PostFormValue("token")
	kinds := []tokens.Kind{tokens.Access, tokens.Refresh}
	if r.PostFormValue("token_type_hint") == "refresh_token" {
		kinds = []tokens.Kind{tokens.Refresh, tokens.Access}
	}
	for _, k := range kinds {
		rec, err := s.Tokens.Lookup(ctx, k, raw)
		if errors.Is(err, tokens.ErrUnknown) {
			continue
		}
		if err != nil {
			http.Error(w, "temporarily unavailable", http.StatusServiceUnavailable)
			return
		}
		if !rec.Active(time.Now()) {
			break
		}
		if revoked, err := s.Tokens.IsRevoked(ctx, rec.JTI); err != nil || revoked {
			break
		}
		writeJSON(w, http.StatusOK, IntrospectionResponse{
			Active: true, Scope: rec.Scope, ClientID: rec.ClientID, Subject: rec.Subject,
			TokenType: "Bearer", Exp: rec.ExpiresAt.Unix(), Iat: rec.IssuedAt.Unix(),
			Iss: s.Issuer, JTI: rec.JTI,
		})
		return
	}
	writeJSON(w, http.StatusOK, IntrospectionResponse{Active: false})
}

// Revoke serves POST /oauth/revoke (RFC 7009).
func (s *Server) Revoke(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.authenticate(r); !ok {
		writeJSON(w, http.StatusUnauthorized, oauthError{Error: "invalid_client"})
		return
	}
	kind := tokens.Access
	if r.PostFormValue("token_type_hint") == "refresh_token" {
		kind = tokens.Refresh
	}
	if err := s.Tokens.Revoke(r.Context(), kind, r.PostFormValue("token")); err != nil {
		writeJSON(w, http.StatusServiceUnavailable, oauthError{Error: "temporarily_unavailable"})
		return
	}
	w.WriteHeader(http.StatusOK)
}

var slugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{2,40}$`)

// ErrNameTaken is returned when another client already uses the name.
var ErrNameTaken = errors.New("oauth: client name already registered")

// RegisterClient registers a tool's OAuth client under a unique short name.
func (s *Server) RegisterClient(ctx context.Context, c Client, secret string) error {
	name := strings.ToLower(c.Name)
	if !slugRE.MatchString(name) {
		return errors.New("oauth: client name must be a lowercase slug")
	}
	nameKey := "client-name:" + name
	if _, err := s.KV.Get(ctx, nameKey); err == nil {
		return ErrNameTaken
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	if err := s.KV.Put(ctx, nameKey, []byte(c.ID), 0); err != nil { // EXPECT kvrace
		return err
	}
	sum := sha256.Sum256([]byte(secret))
	c.SecretSHA256 = sum[:]
	c.CreatedAt = time.Now().UTC()
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	return s.KV.Put(ctx, clientKey(c.ID), b, 0)
}
