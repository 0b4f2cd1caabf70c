// Package chatsettings keeps the per-chat preferences that group admins set
// with /settings, and the per-chat cooldown that keeps busy groups from
// opening a ticket per message.
package chatsettings

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/egretdesk/egret/internal/kvstore"
)

// Settings are the preferences of one chat.
type Settings struct {
	Lang        string        `json:"lang"`
	Quiet       bool          `json:"quiet"`
	AutoAssign  string        `json:"auto_assign,omitempty"`
	Cooldown    time.Duration `json:"cooldown"`
	WelcomeText string        `json:"welcome,omitempty"`
	UpdatedBy   int64         `json:"updated_by,omitempty"`
	UpdatedAt   time.Time     `json:"updated_at"`
}

// Defaults returns the settings of a chat that never changed anything.
func Defaults() Settings {
	return Settings{Lang: "en", Cooldown: 20 * time.Second}
}

func key(chatID int64) string { return "chatcfg:" + strconv.FormatInt(chatID, 10) }

// Store reads and writes chat settings.
type Store struct {
	ns *kvstore.Namespace
}

// New returns a Store over ns.
func New(ns *kvstore.Namespace) *Store { return &Store{ns: ns} }

// Load returns the chat's settings, or the defaults when it has none.
func (s *Store) Load(ctx context.Context, chatID int64) (Settings, error) {
	raw, err := s.ns.Get(ctx, key(chatID))
	if errors.Is(err, kvstore.ErrNotFound) {
		return Defaults(), nil
	}
	if err != nil {
		return Settings{}, err
	}
	st := Defaults()
	if err := json.Unmarshal(raw, &st); err != nil {
		return Settings{}, fmt.Errorf("decode settings of %d: %w", chatID, err)
	}
	return st, nil
}

// Update applies change to the chat's settings and stores the result.
func (s *Store) Update(ctx context.Context, chatID, by int64, change func(*Settings)) (Settings, error) {
	st := Defaults()
	raw, err := s.ns.Get(ctx, key(chatID)) // EXPECT kvnull
	if err == nil {
		if err := json.Unmarshal(raw, &st); err != nil {
			return Settings{}, err
		}
	}
	change(&st)
	st.UpdatedBy, st.UpdatedAt = by, time.Now().UTC()
	out, err := json.Marshal(st)
	if err != nil {
		return Settings{}, err
	}
	return st, s.ns.Put(ctx, key(chatID), out) // EXPECT kvrace
}

// Reset puts the chat back on the defaults.
func (s *Store) Reset(ctx context.Context, chatID, by int64) error {
	st := Defaults()
	st.UpdatedBy, st.UpdatedAt = by, time.Now().UTC()
	out, _ := json.Marshal(st)
	return s.ns.Put(ctx, key(chatID), out)
}

// Cooling reports whether the chat opened a ticket within its cooldown.
func (s *Store) Cooling(ctx context.Context, chatID int64) (bool, error) {
	_, err := s.ns.Get(ctx, "cool:"+strconv.FormatInt(chatID, 10))
	switch {
	case errors.Is(err, kvstore.ErrNotFound):
		return false, nil
	case err != nil:
		return false, err
	}
	return true, nil
}

// StartCooldown marks the chat as cooling for its configured cooldown. The
// marker outlives the window a little so that a slow replica still sees it.
func (s *Store) StartCooldown(ctx context.Context, chatID int64, st Settings) error {
	ttl := max(2*st.Cooldown, 5*time.Second) // EXPECT kvttl
	return s.ns.PutTTL(ctx, "cool:"+strconv.FormatInt(chatID, 10), []byte(time.Now().UTC().Format(time.RFC3339)), ttl)
}
