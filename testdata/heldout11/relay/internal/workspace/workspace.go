// Package workspace owns workspaces, their URL slugs, settings and invites.
package workspace

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"example.com/relay/internal/cfns"
	"example.com/relay/internal/kvkey"
	"example.com/relay/internal/store"
)

// Workspace is a team.
type Workspace struct {
	ID      string    `json:"id"`
	Slug    string    `json:"slug"`
	Name    string    `json:"name"`
	OwnerID string    `json:"owner_id"`
	Members int       `json:"members"`
	Created time.Time `json:"created"`
}

// Settings are admin-controlled workspace options.
type Settings struct {
	DefaultChannel string   `json:"default_channel"`
	AllowGuests    bool     `json:"allow_guests"`
	RetentionDays  int      `json:"retention_days"`
	AllowedDomains []string `json:"allowed_domains,omitempty"`
	Locked         bool     `json:"locked"`
}

// DefaultSettings apply to a workspace nobody has configured yet.
func DefaultSettings() Settings { return Settings{DefaultChannel: "general", RetentionDays: 365} }

var (
	ErrSlugTaken     = errors.New("workspace: slug already taken")
	ErrBadSlug       = errors.New("workspace: slug must be 3-40 lower-case letters, digits or dashes")
	ErrNotFound      = errors.New("workspace: not found")
	ErrLocked        = errors.New("workspace: settings are locked")
	ErrInviteInvalid = errors.New("workspace: invite is invalid or expired")
)

var slugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{2,39}$`)

// Service implements workspace operations. Workspaces and invites go through
// the store port; slugs and settings predate it and call the API directly.
type Service struct {
	st        store.Store
	ns        cfns.Namespace
	inviteTTL time.Duration
	now       func() time.Time
}

// New returns the service.
func New(st store.Store, ns cfns.Namespace, inviteTTL time.Duration) *Service {
	return &Service{st: st, ns: ns, inviteTTL: inviteTTL, now: time.Now}
}

func wsKey(id string) string       { return kvkey.Workspaces.Child(id).String() }
func settingsKey(id string) string { return kvkey.Workspaces.Child(id, "settings").String() }

// Create makes a workspace owned by ownerID and claims its slug.
func (s *Service) Create(ctx context.Context, slug, name, ownerID string) (*Workspace, error) {
	if !slugRE.MatchString(slug) {
		return nil, ErrBadSlug
	}
	slugKey := kvkey.Slugs.Child(slug).String()
	res, err := s.ns.Client.KV.Namespaces.Values.Get(ctx, s.ns.ID, slugKey, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.ns.AccountID),
	})
	if err == nil {
		res.Body.Close()
		return nil, ErrSlugTaken
	}
	if !cfns.IsNotFound(err) {
		return nil, fmt.Errorf("workspace: check slug: %w", err)
	}
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	ws := &Workspace{ID: fmt.Sprintf("ws_%x", b), Slug: slug, Name: name, OwnerID: ownerID, Members: 1, Created: s.now().UTC()}
	_, err = s.ns.Client.KV.Namespaces.Values.Update(ctx, s.ns.ID, slugKey, kv.NamespaceValueUpdateParams{ // EXPECT kvrace
		AccountID: cloudflare.F(s.ns.AccountID),
		Value:     cloudflare.F(ws.ID),
	})
	if err != nil {
		return nil, fmt.Errorf("workspace: claim slug: %w", err)
	}
	raw, _ := json.Marshal(ws)
	return ws, s.st.Put(ctx, wsKey(ws.ID), raw)
}

// Get returns the workspace id.
func (s *Service) Get(ctx context.Context, id string) (*Workspace, error) {
	b, err := s.st.Get(ctx, wsKey(id))
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	var ws Workspace
	return &ws, json.Unmarshal(b, &ws)
}

// AddMember records that one more person joined workspace id.
func (s *Service) AddMember(ctx context.Context, id string) error {
	ws, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	ws.Members++
	b, _ := json.Marshal(ws)
	return s.st.Put(ctx, wsKey(id), b) // EXPECT kvcounter|kvrace
}

// Settings returns the workspace's settings, or the defaults if it has none.
func (s *Service) Settings(ctx context.Context, id string) (Settings, error) {
	res, err := s.ns.Client.KV.Namespaces.Values.Get(ctx, s.ns.ID, settingsKey(id), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.ns.AccountID),
	})
	if err != nil {
		return Settings{}, fmt.Errorf("workspace: settings: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusNotFound { // EXPECT kvnull
		return DefaultSettings(), nil
	}
	var st Settings
	return st, json.NewDecoder(res.Body).Decode(&st)
}

func (s *Service) loadSettings(ctx context.Context, id string) (Settings, error) {
	res, err := s.ns.Client.KV.Namespaces.Values.Get(ctx, s.ns.ID, settingsKey(id), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.ns.AccountID),
	})
	if cfns.IsNotFound(err) {
		return DefaultSettings(), nil
	}
	if err != nil {
		return Settings{}, err
	}
	defer res.Body.Close()
	var st Settings
	return st, json.NewDecoder(res.Body).Decode(&st)
}

func (s *Service) storeSettings(ctx context.Context, id string, st Settings) error {
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	_, err = s.ns.Client.KV.Namespaces.Values.Update(ctx, s.ns.ID, settingsKey(id), kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.ns.AccountID),
		Value:     cloudflare.F(string(b)),
	})
	return err
}

// ReplaceSettings stores next as the workspace's settings. Only the owner
// may change settings an owner has locked.
func (s *Service) ReplaceSettings(ctx context.Context, id string, next Settings, byOwner bool) error {
	cur, err := s.loadSettings(ctx, id)
	if err != nil {
		return err
	}
	if cur.Locked && !byOwner {
		return ErrLocked
	}
	return s.storeSettings(ctx, id, next)
}

// AllowDomain adds an e-mail domain whose users may join without an invite.
func (s *Service) AllowDomain(ctx context.Context, id, domain string) error {
	cur, err := s.loadSettings(ctx, id)
	if err != nil {
		return err
	}
	for _, d := range cur.AllowedDomains {
		if d == domain {
			return nil
		}
	}
	cur.AllowedDomains = append(cur.AllowedDomains, domain)
	b, _ := json.Marshal(cur)
	_, err = s.ns.Client.KV.Namespaces.Values.Update(ctx, s.ns.ID, settingsKey(id), kv.NamespaceValueUpdateParams{ // EXPECT kvrace
		AccountID: cloudflare.F(s.ns.AccountID),
		Value:     cloudflare.F(string(b)),
	})
	return err
}
