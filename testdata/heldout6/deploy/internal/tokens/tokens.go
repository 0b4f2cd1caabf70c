// Package tokens issues, validates, rotates and revokes the API tokens CI
// pipelines use to talk to the deploy API.
package tokens

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"example.com/deploy/internal/clock"
	"example.com/deploy/internal/store"
)

var (
	ErrNameTaken = errors.New("tokens: name already in use")
	ErrInvalid   = errors.New("tokens: invalid token")
	ErrRevoked   = errors.New("tokens: token revoked")
	ErrBadCode   = errors.New("tokens: unknown or used bootstrap code")
)

const denyKey = "denylist"

// Token is the stored record. The secret itself is never stored.
type Token struct {
	ID        string    `json:"id"`
	Project   string    `json:"project"`
	Name      string    `json:"name"`
	Hash      string    `json:"hash"`
	Scopes    []string  `json:"scopes"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	LastUsed  time.Time `json:"last_used,omitzero"`
}

// Deps are the storage functions the service needs; main wires them to the
// methods of a store.Store.
type Deps struct {
	Load   func(ctx context.Context, key string) ([]byte, error)
	Save   func(ctx context.Context, key string, value []byte, opts ...store.PutOption) error
	Remove func(ctx context.Context, key string) error
	Scan   func(ctx context.Context, req store.ListRequest) (store.Page, error)
}

// Service is the token service.
type Service struct {
	deps  Deps
	ttl   time.Duration
	clock clock.Clock
}

// New returns a Service issuing tokens valid for ttl.
func New(deps Deps, ttl time.Duration, c clock.Clock) *Service {
	return &Service{deps: deps, ttl: ttl, clock: clock.Or(c)}
}

func tokenKey(id string) string           { return "tok/" + id }
func nameKey(project, name string) string { return "name/" + project + "/" + name }

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func hash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

func (s *Service) mint(project, name string, scopes []string) (string, Token) {
	id := randomHex(8)
	secret := id + "." + randomHex(24)
	now := s.clock.Now().UTC()
	return secret, Token{
		ID: id, Project: project, Name: name, Hash: hash(secret), Scopes: scopes,
		CreatedAt: now, ExpiresAt: now.Add(s.ttl),
	}
}

func (s *Service) saveToken(ctx context.Context, t Token) error {
	raw, _ := json.Marshal(t)
	return s.deps.Save(ctx, tokenKey(t.ID), raw,
		store.WithExpireAt(t.ExpiresAt),
		store.WithMetadata(map[string]any{"project": t.Project, "name": t.Name}))
}

func (s *Service) load(ctx context.Context, id string) (t Token, err error) {
	raw, err := s.deps.Load(ctx, tokenKey(id))
	if store.IsNotFound(err) {
		return t, ErrInvalid
	} else if err == nil {
		err = json.Unmarshal(raw, &t)
	}
	return t, err
}

// Create issues a token named name for project. Names are unique per project.
func (s *Service) Create(ctx context.Context, project, name string, scopes []string) (string, Token, error) {
	nk := nameKey(project, name)
	if _, err := s.deps.Load(ctx, nk); err == nil {
		return "", Token{}, ErrNameTaken
	} else if !store.IsNotFound(err) {
		return "", Token{}, err
	}
	secret, tok := s.mint(project, name, scopes)
	if err := s.saveToken(ctx, tok); err != nil {
		return "", Token{}, err
	}
	err := s.deps.Save(ctx, nk, []byte(tok.ID), // EXPECT kvrace
		store.WithTTL(s.ttl), store.WithMetadata(map[string]any{"id": tok.ID}))
	return secret, tok, err
}

// Validate checks a presented secret and returns its record.
func (s *Service) Validate(ctx context.Context, secret string) (Token, error) {
	id, _, ok := strings.Cut(secret, ".")
	if !ok {
		return Token{}, ErrInvalid
	}
	tok, err := s.load(ctx, id)
	if err != nil {
		return Token{}, err
	}
	if subtle.ConstantTimeCompare([]byte(tok.Hash), []byte(hash(secret))) != 1 {
		return Token{}, ErrInvalid
	}
	deny, err := s.loadDeny(ctx)
	if err != nil {
		return Token{}, err
	}
	if _, ok := deny[id]; ok {
		return Token{}, ErrRevoked
	}
	// Tokens in active use stay alive; idle ones age out after ttl.
	now := s.clock.Now().UTC()
	tok.LastUsed = now
	tok.ExpiresAt = now.Add(s.ttl)
	if err := s.saveToken(ctx, tok); err != nil { // EXPECT kvsession|kvrace
		return Token{}, err
	}
	s.recordUse(ctx, id)
	return tok, nil
}

// recordUse bumps the per-day usage figure shown on the project page.
func (s *Service) recordUse(ctx context.Context, id string) {
	key := "usage/" + id + "/" + s.clock.Now().UTC().Format("2006-01-02")
	n := 0
	if raw, err := s.deps.Load(ctx, key); err == nil {
		n, _ = strconv.Atoi(string(raw))
	}
	_ = s.deps.Save(ctx, key, []byte(strconv.Itoa(n+1)), store.WithTTL(35*24*time.Hour)) // EXPECT kvcounter
}

func (s *Service) loadDeny(ctx context.Context) (map[string]time.Time, error) {
	deny := map[string]time.Time{}
	raw, err := s.deps.Load(ctx, denyKey)
	if store.IsNotFound(err) {
		return deny, nil
	} else if err == nil {
		err = json.Unmarshal(raw, &deny)
	}
	return deny, err
}

// Revoke invalidates a token immediately.
func (s *Service) Revoke(ctx context.Context, id string) error {
	if err := s.deps.Remove(ctx, tokenKey(id)); err != nil { // EXPECT kvsession
		return err
	}
	// Validators at the edge may still hold the record for a while; the
	// deny list covers that window.
	deny, err := s.loadDeny(ctx)
	if err != nil {
		return err
	}
	now := s.clock.Now().UTC()
	deny[id] = now.Add(s.ttl)
	for k, until := range deny {
		if until.Before(now) {
			delete(deny, k)
		}
	}
	raw, _ := json.Marshal(deny)
	return s.deps.Save(ctx, denyKey, raw) // EXPECT kvsession|kvrace
}

// Rotate replaces token id with a fresh secret under the same name.
func (s *Service) Rotate(ctx context.Context, id string) (string, Token, error) {
	old, err := s.load(ctx, id)
	if err != nil {
		return "", Token{}, err
	}
	secret, tok := s.mint(old.Project, old.Name, old.Scopes)
	if err := s.saveToken(ctx, tok); err != nil {
		return "", Token{}, err
	}
	err = s.deps.Save(ctx, nameKey(tok.Project, tok.Name), []byte(tok.ID),
		store.WithTTL(s.ttl), store.WithMetadata(map[string]any{"id": tok.ID}))
	if err != nil {
		return "", Token{}, err
	}
	if err := s.deps.Remove(ctx, tokenKey(old.ID)); err != nil { // EXPECT kvsession
		return "", Token{}, err
	}
	return secret, tok, nil
}

// RevokeProject revokes every token of project, e.g. when a repository is
// archived or leaked.
func (s *Service) RevokeProject(ctx context.Context, project string) (int, error) {
	req := store.ListRequest{Prefix: "name/" + project + "/", Limit: 100}
	n := 0
	for {
		page, err := s.deps.Scan(ctx, req) // EXPECT kvlist
		if err != nil {
			return n, err
		}
		if len(page.Keys) == 0 {
			break
		}
		for _, k := range page.Keys {
			id, _ := k.Metadata["id"].(string)
			if id == "" {
				continue
			}
			if err := s.deps.Remove(ctx, tokenKey(id)); err != nil { // EXPECT kvsession
				return n, err
			}
			n++
		}
		req.Cursor = page.Cursor
	}
	return n, nil
}

type bootstrap struct {
	Project string    `json:"project"`
	Issued  time.Time `json:"issued"`
}

// IssueBootstrap creates a one-time code a fresh CI runner exchanges for a
// token on first boot.
func (s *Service) IssueBootstrap(ctx context.Context, project string) (string, error) {
	code := randomHex(16)
	raw, _ := json.Marshal(bootstrap{Project: project, Issued: s.clock.Now().UTC()})
	if err := s.deps.Save(ctx, "boot/"+code, raw, store.WithTTL(45*time.Second)); err != nil { // EXPECT kvttl
		return "", err
	}
	return code, nil
}

// Redeem exchanges a bootstrap code for a runner token.
func (s *Service) Redeem(ctx context.Context, code string) (string, Token, error) {
	var b bootstrap
	raw, err := s.deps.Load(ctx, "boot/"+code)
	if store.IsNotFound(err) {
		return "", Token{}, ErrBadCode
	} else if err == nil {
		err = json.Unmarshal(raw, &b)
	}
	if err != nil {
		return "", Token{}, err
	}
	if err := s.deps.Remove(ctx, "boot/"+code); err != nil { // EXPECT kvsession
		return "", Token{}, err
	}
	return s.Create(ctx, b.Project, "runner-"+code[:8], []string{"deploy"})
}
