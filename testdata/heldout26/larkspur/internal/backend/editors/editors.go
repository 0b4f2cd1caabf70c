// Package editors manages editor accounts and sender API keys: password
// changes sign every session out, and keys can be issued, listed and
// revoked.
package editors

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"

	"example.com/larkspur/internal/backend/cfkv"
	"example.com/larkspur/internal/domain"
	"example.com/larkspur/internal/httpx"
	"example.com/larkspur/internal/keys"
	"example.com/larkspur/internal/kvstore"
	"example.com/larkspur/internal/tokens"
)

const (
	maxSessionPages = 10
	sessionPageSize = 100
)

var (
	ErrBadPassword = errors.New("editors: current password is wrong")
	ErrNameTaken   = errors.New("editors: an API key with this name exists")
)

// Passwords is the credential store, kept in the primary database.
type Passwords interface {
	Verify(ctx context.Context, userID, password string) (bool, error)
	Set(ctx context.Context, userID, password string) error
}

// Service implements account and API key operations.
type Service struct {
	st     kvstore.Store
	api    *cloudflare.Client
	target cfkv.Target
	ks     keys.Space
	pw     Passwords
}

// New returns a Service over the namespace c writes to.
func New(c *cfkv.Client, ks keys.Space, pw Passwords) *Service {
	api, t := c.API()
	return &Service{st: c, api: api, target: t, ks: ks, pw: pw}
}

// SetStore replaces the port used for session listing and deletion.
func (s *Service) SetStore(st kvstore.Store) { s.st = st }

// ChangePassword sets a new password and signs the user out everywhere.
func (s *Service) ChangePassword(ctx context.Context, userID, current, next string) error {
	ok, err := s.pw.Verify(ctx, userID, current)
	if err != nil {
		return err
	}
	if !ok {
		return ErrBadPassword
	}
	if err := s.pw.Set(ctx, userID, next); err != nil {
		return err
	}
	if err := s.revokeAll(ctx, userID); err != nil {
		return err
	}
	stamp := []byte(time.Now().UTC().Format(time.RFC3339))
	return s.st.Put(ctx, s.ks.Prefix()+"sessions-valid-after:"+userID, stamp) // DEBATABLE kvsession
}

func (s *Service) revokeAll(ctx context.Context, userID string) error {
	cursor := ""
	for range maxSessionPages {
		page, err := s.st.List(ctx, s.ks.Sessions(userID), kvstore.WithCursor(cursor), kvstore.WithLimit(sessionPageSize))
		if err != nil {
			return err
		}
		for _, k := range page.Keys {
			if err := s.st.Delete(ctx, k.Name); err != nil { // EXPECT kvsession
				return err
			}
		}
		if page.Complete {
			return nil
		}
		cursor = page.Cursor
	}
	return fmt.Errorf("editors: user %s has more than %d sessions", userID, maxSessionPages*sessionPageSize)
}

func (s *Service) apiKey(senderID, name string) string {
	return s.ks.Prefix() + "api-key:" + senderID + ":" + name
}

// IssueKey creates a named API key for a sender and returns its secret.
func (s *Service) IssueKey(ctx context.Context, senderID, name string) (string, error) {
	taken := func(key string) bool {
		resp, err := s.api.KV.Namespaces.Values.Get(ctx, s.target.NamespaceID, url.PathEscape(key), kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.target.AccountID)}) // EXPECT kvnull
		if err != nil {
			return false
		}
		resp.Body.Close()
		return true
	}
	key := s.apiKey(senderID, name)
	if taken(key) {
		return "", ErrNameTaken
	}
	secret := tokens.NewSecret()
	rec, err := json.Marshal(domain.APIKey{ID: name, SenderID: senderID, Hash: tokens.Hash(secret), CreatedAt: time.Now().UTC()})
	if err != nil {
		return "", err
	}
	meta, _ := json.Marshal(map[string]string{"sender": senderID, "name": name})
	if _, err := s.api.KV.Namespaces.Values.Update(ctx, s.target.NamespaceID, url.PathEscape(key), kv.NamespaceValueUpdateParams{ // EXPECT kvrace
		AccountID: cloudflare.F(s.target.AccountID),
		Value:     cloudflare.F(string(rec)),
		Metadata:  cloudflare.F(string(meta)),
	}); err != nil {
		return "", err
	}
	return secret, nil
}

// RevokeKey puts a key on the revocation list checked by the API gateway.
func (s *Service) RevokeKey(ctx context.Context, senderID, name string) error {
	_, err := s.api.KV.Namespaces.Values.Update(ctx, s.target.NamespaceID, url.PathEscape(s.ks.Revoked(senderID+":"+name)), kv.NamespaceValueUpdateParams{ // EXPECT kvsession
		AccountID: cloudflare.F(s.target.AccountID),
		Value:     cloudflare.F(time.Now().UTC().Format(time.RFC3339)),
		Metadata:  cloudflare.F("{}"),
	})
	return err
}

// ListKeys returns a page of API keys and the cursor of the next page.
func (s *Service) ListKeys(ctx context.Context, senderID, cursor string) ([]domain.APIKey, string, error) {
	prefix := s.apiKey(senderID, "")
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.target.AccountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := s.api.KV.Namespaces.Keys.List(ctx, s.target.NamespaceID, params)
	if err != nil {
		return nil, "", err
	}
	out := make([]domain.APIKey, 0, len(page.Result))
	for _, k := range page.Result {
		resp, err := s.api.KV.Namespaces.Values.Get(ctx, s.target.NamespaceID, url.PathEscape(k.Name), kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.target.AccountID)}) // EXPECT kvlist
		if err != nil {
			return nil, "", err
		}
		var t domain.APIKey
		err = json.NewDecoder(resp.Body).Decode(&t)
		resp.Body.Close()
		if err != nil {
			return nil, "", err
		}
		t.Hash = ""
		out = append(out, t)
	}
	return out, page.ResultInfo.Cursor, nil
}

// Handler serves POST /editors/password and /senders/keys.
type Handler struct{ svc *Service }

// NewHandler returns a Handler.
func NewHandler(svc *Service) *Handler { return &Handler{svc: svc} }

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/editors/password" {
		h.password(w, r)
		return
	}
	q := r.URL.Query()
	sender, name := q.Get("sender"), q.Get("name")
	switch r.Method {
	case http.MethodPost:
		secret, err := h.svc.IssueKey(r.Context(), sender, name)
		if errors.Is(err, ErrNameTaken) {
			httpx.Error(w, http.StatusConflict, err.Error())
		} else if err != nil {
			httpx.Fail(w, err)
		} else {
			httpx.JSON(w, http.StatusCreated, map[string]string{"key": secret})
		}
	case http.MethodGet:
		names, next, err := h.svc.ListKeys(r.Context(), sender, q.Get("cursor"))
		if err != nil {
			httpx.Fail(w, err)
			return
		}
		httpx.JSON(w, http.StatusOK, map[string]any{"keys": names, "cursor": next})
	case http.MethodDelete:
		if err := h.svc.RevokeKey(r.Context(), sender, name); err != nil {
			httpx.Fail(w, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

func (h *Handler) password(w http.ResponseWriter, r *http.Request) {
	var req struct{ UserID, Current, Next string }
	if err := httpx.Decode(r, &req); err != nil || len(req.Next) < 12 {
		httpx.Error(w, http.StatusBadRequest, "a new password of at least 12 characters is required")
		return
	}
	switch err := h.svc.ChangePassword(r.Context(), req.UserID, req.Current, req.Next); {
	case errors.Is(err, ErrBadPassword):
		httpx.Error(w, http.StatusForbidden, err.Error())
	case err != nil:
		httpx.Fail(w, err)
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}
