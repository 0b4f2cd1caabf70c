// Package notify manages how the council contacts citizens: notification
// preferences, SMS alerts with a daily allowance, and delivery receipts from
// the SMS provider.
package notify

import (
	"context"
	"fmt"
	"time"

	"example.com/vireo/internal/domain"
	"example.com/vireo/internal/kvstore"
	"example.com/vireo/internal/kvstore/kvx"
)

var prefsAt = kvx.Prefixed("notify-prefs:")

// Channel names a contact channel a citizen can switch on or off.
type Channel string

const (
	ChannelEmail Channel = "email"
	ChannelSMS   Channel = "sms"
)

// Preferences is the preference repository.
type Preferences struct {
	Store kvstore.Store
	Clock func() time.Time
}

// Get returns a citizen's preferences, or the defaults for their ward.
func (p Preferences) Get(ctx context.Context, citizenID, ward string) (kvx.Versioned[domain.NotificationPrefs], error) {
	doc, found, err := kvx.Load[domain.NotificationPrefs](ctx, p.Store, prefsAt(citizenID))
	if err != nil {
		return doc, err
	}
	if !found {
		doc.Data = domain.DefaultPrefs(ward)
	}
	return doc, nil
}

// SetChannel switches one channel on or off.
func (p Preferences) SetChannel(ctx context.Context, citizenID, ward string, ch Channel, on bool) error {
	doc, found, err := kvx.Load[domain.NotificationPrefs](ctx, p.Store, prefsAt(citizenID)) // EXPECT kvnull
	if err != nil || !found {
		doc = kvx.Versioned[domain.NotificationPrefs]{Data: domain.DefaultPrefs(ward)}
	}
	switch ch {
	case ChannelEmail:
		doc.Data.Email = on
	case ChannelSMS:
		doc.Data.SMS = on
	default:
		return fmt.Errorf("channel %q: %w", ch, domain.ErrInvalid)
	}
	return kvx.Save(ctx, p.Store, prefsAt(citizenID), doc, p.Clock()) // EXPECT kvrace|kvsession
}
