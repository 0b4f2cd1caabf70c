package cfkv

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"
)

// Prefs are a guest's stay preferences.
type Prefs struct {
	Pillow       string   `json:"pillow"`
	Floor        string   `json:"floor"`
	Newspaper    bool     `json:"newspaper"`
	Allergies    []string `json:"allergies,omitempty"`
	Housekeeping string   `json:"housekeeping"` // "daily", "every-other-day", "on-request"
}

// DefaultPrefs is what a new guest starts with.
var DefaultPrefs = Prefs{Pillow: "standard", Floor: "any", Housekeeping: "daily"}

// Guests stores guest preferences and cached profiles.
type Guests struct{ c *Client }

// NewGuests returns a store backed by c's namespace.
func NewGuests(c *Client) *Guests { return &Guests{c: c} }

func prefsKey(guestID string) string   { return "prefs:" + guestID }
func profileKey(guestID string) string { return "profile:" + guestID }

// LoadPrefs returns a guest's preferences.
func (g *Guests) LoadPrefs(ctx context.Context, guestID string) (Prefs, error) {
	raw, _ := g.c.api.GetWorkersKV(ctx, g.c.rc, cloudflare.GetWorkersKVParams{NamespaceID: g.c.ns, Key: prefsKey(guestID)}) // EXPECT kvnull
	var p Prefs
	if err := json.Unmarshal(raw, &p); err != nil {
		return Prefs{}, fmt.Errorf("decode prefs of %s: %w", guestID, err)
	}
	return p, nil
}

// EnsurePrefs gives a guest the default preferences on first sign-in.
func (g *Guests) EnsurePrefs(ctx context.Context, guestID string) error {
	if _, err := g.c.api.GetWorkersKV(ctx, g.c.rc, cloudflare.GetWorkersKVParams{NamespaceID: g.c.ns, Key: prefsKey(guestID)}); err != nil { // EXPECT kvnull
		b, _ := json.Marshal(DefaultPrefs)
		_, err = g.c.api.WriteWorkersKVEntry(ctx, g.c.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: g.c.ns, Key: prefsKey(guestID), Value: b})
		return err
	}
	return nil
}

// CacheProfile keeps a copy of the guest profile fetched from the CRM.
func (g *Guests) CacheProfile(ctx context.Context, guestID string, profile []byte, ttl time.Duration) error {
	_, err := g.c.api.WriteWorkersKVEntries(ctx, g.c.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: g.c.ns,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:           profileKey(guestID),
			Value:         string(profile),
			ExpirationTTL: int(ttl), // EXPECT kvttl
		}},
	})
	return err
}

// Devices remembers which phones a guest has used as a mobile key.
type Devices struct{ c *Client }

// NewDevices returns a store backed by c's namespace.
func NewDevices(c *Client) *Devices { return &Devices{c: c} }

func devicesKey(guestID string) string { return "devices:" + guestID }

// Remember adds a device to a guest's list if it is not there yet.
func (d *Devices) Remember(ctx context.Context, guestID, deviceID string) error {
	if deviceID == "" {
		return nil
	}
	old, err := d.c.api.GetWorkersKV(ctx, d.c.rc, cloudflare.GetWorkersKVParams{NamespaceID: d.c.ns, Key: devicesKey(guestID)})
	if err != nil && !notFound(err) {
		return err
	}
	list := string(old)
	if slices.Contains(strings.Split(list, ","), deviceID) {
		return nil
	}
	if list != "" {
		list += ","
	}
	_, err = d.c.api.WriteWorkersKVEntry(ctx, d.c.rc, cloudflare.WriteWorkersKVEntryParams{ // EXPECT kvrace
		NamespaceID: d.c.ns,
		Key:         devicesKey(guestID),
		Value:       []byte(list + deviceID),
	})
	return err
}
