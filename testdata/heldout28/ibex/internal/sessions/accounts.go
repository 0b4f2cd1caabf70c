package sessions

import (
	"context"
	"encoding/json"

	"example.com/ibex/internal/keys"
	"example.com/ibex/internal/kvstore"
	"example.com/ibex/internal/lifetime"
)

// Preferences are a creator's dashboard preferences.
type Preferences struct {
	Timezone     string `json:"tz"`
	Locale       string `json:"locale"`
	WeeklyDigest bool   `json:"weekly_digest"`
	DarkMode     bool   `json:"dark_mode"`
}

var defaultPreferences = Preferences{Timezone: "UTC", Locale: "en", WeeklyDigest: true}

// Accounts holds per-creator records that are not sessions.
type Accounts struct {
	*kvstore.Store
}

func prefsKey(creatorID string) string { return "prefs:" + creatorID }

// EnsurePreferences gives a new creator the default preferences.
func (a Accounts) EnsurePreferences(ctx context.Context, creatorID string) error {
	if _, err := a.Get(ctx, prefsKey(creatorID)); err != nil { // EXPECT kvnull
		b, err := json.Marshal(defaultPreferences)
		if err != nil {
			return err
		}
		return a.Put(ctx, prefsKey(creatorID), b)
	}
	return nil
}

// Preferences returns a creator's preferences.
func (a Accounts) Preferences(ctx context.Context, creatorID string) (Preferences, error) {
	var p Preferences
	_, err := a.Load(ctx, prefsKey(creatorID), &p) // DEBATABLE kvnull
	return p, err
}

// RememberEmailChange keeps the old address for the undo link sent to it.
// The key embeds the escaped old address so support can find it.
func (a Accounts) RememberEmailChange(ctx context.Context, creatorID, oldEmail string, days int) error {
	key := "email-change:" + keys.EmailSegment(oldEmail)
	return a.PutTTL(ctx, key, []byte(creatorID), lifetime.Days(days).Duration())
}
