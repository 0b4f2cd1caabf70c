// Package hosts manages host accounts: their lifecycle (a transition table
// of statuses and actions), vanity slugs, public profiles and API tokens.
package hosts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"

	"github.com/quizfleet/dipper/internal/analytics"
	"github.com/quizfleet/dipper/internal/cfkv"
	"github.com/quizfleet/dipper/internal/kvkey"
)

// Status is where an account is in its lifecycle.
type Status string

const (
	Pending   Status = "pending"
	Active    Status = "active"
	Suspended Status = "suspended"
	Closed    Status = "closed"
)

// Action is something staff or the host does to an account.
type Action string

const (
	Verify    Action = "verify"
	Suspend   Action = "suspend"
	Reinstate Action = "reinstate"
	Close     Action = "close"
)

var transitions = map[Status]map[Action]Status{
	Pending:   {Verify: Active, Close: Closed},
	Active:    {Suspend: Suspended, Close: Closed},
	Suspended: {Reinstate: Active, Close: Closed},
}

var onEnter = map[Status]func(ctx context.Context, h *Host) error{
	Suspended: revokeSessions,
	Closed:    closeAccount,
}

const maxSessionPages = 5

var (
	ErrNoHost     = errors.New("hosts: no such host")
	ErrSlugTaken  = errors.New("hosts: slug taken")
	ErrBadSlug    = errors.New("hosts: slug must be 3-32 lowercase letters, digits or dashes")
	ErrNotAllowed = errors.New("hosts: action not allowed in this status")
	slugPattern   = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,30}[a-z0-9]$`)
	reservedSlugs = []string{"admin", "api", "host", "play", "join", "www"}
)

// Host is a host account.
type Host struct {
	_       struct{}  `kv:"host/{ID}"`
	ID      string    `json:"id"`
	Email   string    `json:"email"`
	Slug    string    `json:"slug,omitempty"`
	Status  Status    `json:"status"`
	History []Change  `json:"history"`
	Updated time.Time `json:"updated"`
}

// Change is one entry of an account's audit trail.
type Change struct {
	From   Status    `json:"from"`
	To     Status    `json:"to"`
	Action Action    `json:"action"`
	Actor  string    `json:"actor"`
	At     time.Time `json:"at"`
}

// Load reads a host account.
func Load(ctx context.Context, id string) (*Host, error) {
	h := &Host{ID: id}
	res, err := cfkv.API().Values.Get(ctx, string(cfkv.Hosts()), url.PathEscape(kvkey.Of(h)), kv.NamespaceValueGetParams{ // EXPECT kvnull
		AccountID: cloudflare.F(cfkv.AccountID()),
	})
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusNotFound {
		return nil, ErrNoHost
	}
	if err := json.NewDecoder(res.Body).Decode(h); err != nil {
		return nil, fmt.Errorf("hosts: decode %s: %w", id, err)
	}
	return h, nil
}

// Apply performs action on the account and records who did it.
func Apply(ctx context.Context, id string, action Action, actor string) (*Host, error) {
	h, err := Load(ctx, id)
	if err != nil {
		return nil, err
	}
	next, ok := transitions[h.Status][action]
	if !ok {
		return nil, fmt.Errorf("%w: %s cannot %s", ErrNotAllowed, h.Status, action)
	}
	now := time.Now().UTC()
	h.History = append(h.History, Change{From: h.Status, To: next, Action: action, Actor: actor, At: now})
	h.Status, h.Updated = next, now
	if enter := onEnter[next]; enter != nil {
		if err := enter(ctx, h); err != nil {
			return nil, fmt.Errorf("hosts: %s entering %s: %w", id, next, err)
		}
	}
	b, err := json.Marshal(h)
	if err != nil {
		return nil, err
	}
	if err := cfkv.Put(ctx, cfkv.Hosts(), kvkey.Of(h), b); err != nil { // EXPECT kvrace
		return nil, err
	}
	return h, nil
}

// revokeSessions signs the host out of every device.
func revokeSessions(ctx context.Context, h *Host) error {
	ns := string(cfkv.Sessions())
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(cfkv.AccountID()),
		Prefix:    cloudflare.F("host-sess/" + h.ID + "/"),
		Limit:     cloudflare.F(1000.0),
	}
	for range maxSessionPages {
		page, err := cfkv.API().Keys.List(ctx, ns, params)
		if err != nil {
			return err
		}
		for _, k := range page.Result {
			if _, err := cfkv.API().Values.Delete(ctx, ns, url.PathEscape(k.Name), kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(cfkv.AccountID())}); err != nil { // EXPECT kvsession
				return err
			}
		}
		if page.ResultInfo.Cursor == "" {
			return nil
		}
		params.Cursor = cloudflare.F(page.ResultInfo.Cursor)
	}
	return fmt.Errorf("hosts: %s has more than %d pages of sessions", h.ID, maxSessionPages)
}

func closeAccount(ctx context.Context, h *Host) error {
	if err := revokeSessions(ctx, h); err != nil {
		return err
	}
	if h.Slug != "" {
		if err := cfkv.Delete(ctx, cfkv.Hosts(), "slug/"+h.Slug); err != nil {
			return err
		}
		h.Slug = ""
	}
	if err := cfkv.Delete(ctx, cfkv.Hosts(), "profile/"+h.ID); err != nil {
		return err
	}
	_, err := analytics.PurgeResults(ctx, h.ID)
	return err
}

// ClaimSlug gives the host a vanity address, quizfleet.example/@slug.
func ClaimSlug(ctx context.Context, hostID, slug string) error {
	slug = strings.ToLower(slug)
	if !slugPattern.MatchString(slug) || slices.Contains(reservedSlugs, slug) {
		return ErrBadSlug
	}
	key := "slug/" + slug
	owner, err := cfkv.Get(ctx, cfkv.Hosts(), key)
	switch {
	case err == nil:
		if string(owner) == hostID {
			return nil
		}
		return ErrSlugTaken
	case !errors.Is(err, cfkv.ErrNotFound):
		return err
	}
	return cfkv.Put(ctx, cfkv.Hosts(), key, []byte(hostID)) // EXPECT kvrace
}

// Profile is a host's public page.
type Profile struct {
	HostID      string    `json:"host_id"`
	DisplayName string    `json:"display_name"`
	Bio         string    `json:"bio"`
	Created     time.Time `json:"created"`
}

// EnsureProfile returns the host's public profile, creating the default one
// the first time the host is seen.
func EnsureProfile(ctx context.Context, hostID, email string) (*Profile, error) {
	key := "profile/" + hostID
	res, err := cfkv.API().Values.Get(ctx, string(cfkv.Hosts()), url.PathEscape(key), kv.NamespaceValueGetParams{ // EXPECT kvnull
		AccountID: cloudflare.F(cfkv.AccountID()),
	})
	if err != nil {
		p := &Profile{HostID: hostID, DisplayName: defaultName(email), Created: time.Now().UTC()}
		b, err := json.Marshal(p)
		if err != nil {
			return nil, err
		}
		if err := cfkv.Put(ctx, cfkv.Hosts(), key, b); err != nil { // DEBATABLE kvrace
			return nil, err
		}
		return p, nil
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	var p Profile
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, fmt.Errorf("hosts: profile of %s: %w", hostID, err)
	}
	return &p, nil
}

func defaultName(email string) string {
	name, _, _ := strings.Cut(email, "@")
	return name
}

// RevokeToken stops an API token from being accepted before it expires.
// The Worker checks this list on every API call.
func RevokeToken(ctx context.Context, hostID, jti string, expires time.Time) error {
	ttl := max(time.Until(expires), time.Minute)
	b, err := json.Marshal(map[string]any{"host": hostID, "revoked": time.Now().UTC()})
	if err != nil {
		return err
	}
	return cfkv.PutTTL(ctx, cfkv.Sessions(), "revoked/"+jti, b, ttl) // EXPECT kvsession
}
