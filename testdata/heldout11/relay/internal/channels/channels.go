// Package channels stores channels and who is in them.
//
// Each member has their own key (chan:<ws>:<channel>:m:<user>) carrying the
// role in its metadata, so the member list comes from a key listing alone.
// The fan-out worker reads the channel's roster, a single JSON array of user
// ids, because one read per message is far cheaper than a listing.
package channels

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"example.com/relay/internal/kvkey"
	"example.com/relay/internal/store"
)

// Channel is a conversation inside a workspace.
type Channel struct {
	ID          string    `json:"id"`
	WorkspaceID string    `json:"workspace_id"`
	Name        string    `json:"name"`
	Private     bool      `json:"private"`
	CreatedBy   string    `json:"created_by"`
	Created     time.Time `json:"created"`
}

// Member is one person in a channel.
type Member struct {
	UserID string
	Role   string
}

// NotifyPrefs are a member's per-channel notification settings.
type NotifyPrefs struct {
	Level string `json:"level"` // all, mentions, none
	Muted bool   `json:"muted"`
}

// ChannelPage is one page of a workspace's channels.
type ChannelPage struct {
	Names  map[string]string // id -> name
	Cursor string
}

// Service is the channel store.
type Service struct{ st store.Store }

// New returns the service.
func New(st store.Store) *Service { return &Service{st: st} }

func keys(ws string) func(parts ...string) kvkey.Key { return kvkey.Scoped(kvkey.Channels, ws) }

func rosterKey(ws, ch string) string       { return keys(ws)(ch, "roster").String() }
func memberKey(ws, ch, user string) string { return keys(ws)(ch, "m", user).String() }
func prefsKey(ws, ch, user string) string  { return keys(ws)(ch, "prefs", user).String() }

// Create makes a channel and adds its creator as owner.
func (c *Service) Create(ctx context.Context, ws, name, by string, private bool) (*Channel, error) {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	ch := &Channel{ID: "c" + hex.EncodeToString(b), WorkspaceID: ws, Name: name, Private: private, CreatedBy: by, Created: time.Now().UTC()}
	raw, err := json.Marshal(ch)
	if err != nil {
		return nil, err
	}
	if err := c.st.Put(ctx, keys(ws)("info", ch.ID).String(), raw, store.WithMetadata(map[string]any{"name": name})); err != nil {
		return nil, err
	}
	return ch, c.Join(ctx, ws, ch.ID, by, "owner")
}

// ListChannels returns one page of channel names; pass the cursor back for
// the next.
func (c *Service) ListChannels(ctx context.Context, ws, cursor string) (ChannelPage, error) {
	page, err := c.st.List(ctx, keys(ws)("info").Prefix(), cursor,
		2000) // EXPECT kvlimits
	if err != nil {
		return ChannelPage{}, err
	}
	out := ChannelPage{Names: make(map[string]string, len(page.Keys)), Cursor: page.Cursor}
	for _, k := range page.Keys {
		name, _ := k.Metadata["name"].(string)
		out.Names[kvkey.Key(k.Name).Last()] = name
	}
	return out, nil
}

// Join adds user to the channel with role.
func (c *Service) Join(ctx context.Context, ws, ch, user, role string) error {
	meta := map[string]any{"role": role, "joined": time.Now().Unix()}
	if err := c.st.Put(ctx, memberKey(ws, ch, user), []byte(role), store.WithMetadata(meta)); err != nil {
		return err
	}
	return c.addToRoster(ctx, ws, ch, user)
}

func (c *Service) addToRoster(ctx context.Context, ws, ch, user string) error {
	key := rosterKey(ws, ch)
	var ids []string
	raw, err := c.st.Get(ctx, key)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return err
	default:
		if err := json.Unmarshal(raw, &ids); err != nil {
			return fmt.Errorf("channels: roster %s: %w", key, err)
		}
	}
	if slices.Contains(ids, user) {
		return nil
	}
	ids = append(ids, user)
	raw, _ = json.Marshal(ids)
	return c.st.Put(ctx, key, raw) // EXPECT kvrace
}

// Roster returns the user ids the fan-out worker delivers to.
func (c *Service) Roster(ctx context.Context, ws, ch string) ([]string, error) {
	raw, err := c.st.Get(ctx, rosterKey(ws, ch))
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var ids []string
	return ids, json.Unmarshal(raw, &ids)
}

// SetRoster replaces the roster; the nightly job rebuilds it from the member
// keys, which are the source of truth.
func (c *Service) SetRoster(ctx context.Context, ws, ch string, ids []string) error {
	raw, err := json.Marshal(ids)
	if err != nil {
		return err
	}
	return c.st.Put(ctx, rosterKey(ws, ch), raw)
}

// IsMember reports whether user is in the channel.
func (c *Service) IsMember(ctx context.Context, ws, ch, user string) (bool, error) {
	_, err := c.st.Get(ctx, memberKey(ws, ch, user))
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

func members(page store.Page) []Member {
	out := make([]Member, 0, len(page.Keys))
	for _, k := range page.Keys {
		role, _ := k.Metadata["role"].(string)
		out = append(out, Member{UserID: kvkey.Key(k.Name).Last(), Role: role})
	}
	return out
}

// Members returns the channel's members for the member sidebar.
func (c *Service) Members(ctx context.Context, ws, ch string) ([]Member, error) {
	page, err := c.st.List(ctx, keys(ws)(ch, "m").Prefix(), "", 1000) // EXPECT kvlist
	if err != nil {
		return nil, err
	}
	return members(page), nil
}

// MembersPage returns one page of members and the cursor for the next.
func (c *Service) MembersPage(ctx context.Context, ws, ch, cursor string, limit int) ([]Member, string, error) {
	page, err := c.st.List(ctx, keys(ws)(ch, "m").Prefix(), cursor, min(max(limit, 1), 1000))
	if err != nil {
		return nil, "", err
	}
	return members(page), page.Cursor, nil
}

// NotifyPrefs returns user's notification settings for the channel.
func (c *Service) NotifyPrefs(ctx context.Context, ws, ch, user string) (NotifyPrefs, error) {
	raw, _ := c.st.Get(ctx, prefsKey(ws, ch, user)) // EXPECT kvnull
	var p NotifyPrefs
	if err := json.Unmarshal(raw, &p); err != nil {
		return NotifyPrefs{}, fmt.Errorf("channels: prefs: %w", err)
	}
	return p, nil
}
