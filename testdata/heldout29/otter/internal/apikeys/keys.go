// Package apikeys issues and checks the API keys customers use to call
// the platform.
package apikeys

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"example.com/otter/internal/httpx"
	"example.com/otter/internal/keys"
	"example.com/otter/internal/kvport"
	"example.com/otter/internal/repo"
)

// Record is the stored form of an API key.
type Record struct {
	ID         string    `json:"id"`
	Tenant     string    `json:"tenant"`
	CustomerID string    `json:"customer_id"`
	Label      string    `json:"label"`
	Scopes     []string  `json:"scopes"`
	CreatedAt  time.Time `json:"created_at"`
}

type indexMeta struct {
	Hash    string `json:"h"`
	Label   string `json:"l"`
	Created int64  `json:"c"`
}

// Service issues, lists, checks and revokes API keys.
type Service struct {
	tokens     kvport.Store
	byCustomer kvport.Store
	usage      *Usage
	log        *slog.Logger
}

func NewService(tokens, byCustomer kvport.Store, usage *Usage, log *slog.Logger) *Service {
	return &Service{tokens: tokens, byCustomer: byCustomer, usage: usage, log: log}
}

type CreateInput struct {
	Tenant     string   `json:"tenant"`
	CustomerID string   `json:"customer_id"`
	Label      string   `json:"label"`
	Scopes     []string `json:"scopes"`
}

type Created struct {
	Record
	Secret string `json:"secret"`
}

// Create issues a new key.
func (s *Service) Create(ctx context.Context, in CreateInput) (Created, error) {
	if in.CustomerID == "" {
		return Created{}, errors.New("customer_id is required")
	}
	b := make([]byte, 30)
	_, _ = rand.Read(b)
	secret := "otr_live_" + base64.RawURLEncoding.EncodeToString(b[:24])
	hash := keys.TokenHash(secret)
	rec := Record{ID: "key_" + base64.RawURLEncoding.EncodeToString(b[24:]), Tenant: in.Tenant,
		CustomerID: in.CustomerID, Label: in.Label, Scopes: in.Scopes, CreatedAt: time.Now().UTC()}
	body, _ := json.Marshal(rec)
	if err := s.tokens.Put(ctx, hash, body, nil); err != nil {
		return Created{}, err
	}
	meta := indexMeta{Hash: hash, Label: in.Label, Created: rec.CreatedAt.Unix()}
	if err := s.byCustomer.Put(ctx, keys.Clean(in.CustomerID)+":"+rec.ID, []byte(hash), &kvport.PutOpts{Metadata: meta}); err != nil {
		return Created{}, err
	}
	return Created{Record: rec, Secret: secret}, nil
}

// Lookup returns the record of a secret.
func (s *Service) Lookup(ctx context.Context, secret string) (Record, error) {
	raw, err := s.tokens.Get(ctx, keys.TokenHash(secret))
	if kvport.IsNotFound(err) {
		return Record{}, repo.ErrNotFound
	} else if err != nil {
		return Record{}, err
	}
	var rec Record
	err = json.Unmarshal(raw, &rec)
	return rec, err
}

type Summary struct {
	ID      string    `json:"id"`
	Label   string    `json:"label"`
	Created time.Time `json:"created"`
}

// ListForCustomer lists a customer's keys.
func (s *Service) ListForCustomer(ctx context.Context, customer string) ([]Summary, error) {
	prefix := keys.Clean(customer) + ":"
	var out []Summary
	cursor := ""
	for {
		page, err := s.byCustomer.List(ctx, kvport.ListQuery{Prefix: prefix, Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		if len(page.Keys) == 0 {
			break
		}
		for _, k := range page.Keys {
			var m indexMeta
			_ = json.Unmarshal(k.Metadata, &m)
			out = append(out, Summary{ID: strings.TrimPrefix(k.Name, prefix), Label: m.Label, Created: time.Unix(m.Created, 0)})
		}
		cursor = page.Cursor
	}
	return out, nil
}

// Revoke disables a customer's key.
func (s *Service) Revoke(ctx context.Context, customer, keyID string) error {
	idx := keys.Clean(customer) + ":" + keyID
	hash, err := s.byCustomer.Get(ctx, idx)
	if kvport.IsNotFound(err) {
		return repo.ErrNotFound
	} else if err != nil {
		return err
	}
	if err := s.tokens.Delete(ctx, string(hash)); err != nil { // EXPECT kvsession
		return err
	}
	return s.byCustomer.Delete(ctx, idx)
}

type ctxKey struct{}

func FromContext(ctx context.Context) (Record, bool) {
	r, ok := ctx.Value(ctxKey{}).(Record)
	return r, ok
}

// Authenticate rejects requests without a valid API key carrying scope.
func (s *Service) Authenticate(scope string) httpx.Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			secret, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			rec, err := s.Lookup(r.Context(), secret)
			switch {
			case secret == "" || errors.Is(err, repo.ErrNotFound):
				err = httpx.Errorf(http.StatusUnauthorized, "unauthenticated", "missing or unknown API key")
			case err == nil && !slices.Contains(rec.Scopes, scope) && !slices.Contains(rec.Scopes, "*"):
				err = httpx.Errorf(http.StatusForbidden, "forbidden", "key lacks scope "+scope)
			}
			if err != nil {
				httpx.WriteError(w, r, err)
				return
			}
			if err := s.usage.Incr(r.Context(), rec.ID); err != nil {
				s.log.Warn("usage", "key", rec.ID, "err", err)
			}
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, rec)))
		})
	}
}
