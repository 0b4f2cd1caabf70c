// Package prefs stores per-user dashboard preferences.
package prefs

import (
	"context"
	"encoding/json"
	"maps"
	"time"

	"example.com/kestrel/internal/kvtag"
	"example.com/kestrel/internal/store"
)

// Prefs are one user's preferences.
type Prefs struct {
	UserID        string          `json:"user_id" kv:"prefix=prefs/,ttl=2160h"`
	Theme         string          `json:"theme"`
	Locale        string          `json:"locale"`
	Notifications map[string]bool `json:"notifications"`
	Updated       time.Time       `json:"updated"`
}

// Defaults returns the preferences of a user who never saved any.
func Defaults(userID string) Prefs {
	return Prefs{UserID: userID, Theme: "system", Locale: "en",
		Notifications: map[string]bool{"invites": true, "deploys": true, "billing": false}}
}

// Patch changes some fields and leaves the rest.
type Patch struct {
	UserID        string          `json:"user_id"`
	Theme         *string         `json:"theme,omitempty"`
	Locale        *string         `json:"locale,omitempty"`
	Notifications map[string]bool `json:"notifications,omitempty"`
}

func (p Patch) apply(cur Prefs) Prefs {
	if p.Theme != nil {
		cur.Theme = *p.Theme
	}
	if p.Locale != nil {
		cur.Locale = *p.Locale
	}
	if len(p.Notifications) > 0 {
		n := maps.Clone(cur.Notifications)
		if n == nil {
			n = map[string]bool{}
		}
		maps.Copy(n, p.Notifications)
		cur.Notifications = n
	}
	return cur
}

func load(ctx context.Context, st store.Store, userID string) (Prefs, error) {
	key, _, err := kvtag.Key(Prefs{UserID: userID})
	if err != nil {
		return Prefs{}, err
	}
	raw, err := st.Get(ctx, key)
	if store.IsNotFound(err) {
		return Defaults(userID), nil
	}
	if err != nil {
		return Prefs{}, err
	}
	var p Prefs
	return p, json.Unmarshal([]byte(raw), &p)
}

func save(ctx context.Context, st store.Store, p Prefs) error {
	key, ttl, err := kvtag.Key(p)
	if err != nil {
		return err
	}
	body, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return st.Put(ctx, key, string(body), ttl)
}
