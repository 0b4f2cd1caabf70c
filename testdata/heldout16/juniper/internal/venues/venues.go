// Package venues stores venue settings and the public booking-page slugs
// that map to them.
package venues

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	cloudflare "github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"example.com/juniper/internal/cfapi"
	"example.com/juniper/internal/envelope"
	"example.com/juniper/internal/kvstore"
	"example.com/juniper/internal/records"
)

var (
	ErrUnknownVenue = errors.New("venues: unknown venue")
	ErrUnknownSlug  = errors.New("venues: unknown slug")
	ErrSlugTaken    = errors.New("venues: slug already in use")
	ErrStale        = errors.New("venues: settings were changed by someone else")
)

const slugPrefix = "slug/"

// defaultCancellationPolicy is shown on the booking page until the venue
// writes its own.
const defaultCancellationPolicy = `Reservations can be changed or cancelled free of charge until 24 hours before the booked time. Cancellations made later than 24 hours before the booked time, and reservations where the party does not arrive within 20 minutes of the booked time without contacting the venue, may be charged the deposit shown at booking, per guest. For parties of eight or more the deposit is charged at booking and is refundable until 72 ` +
	`hours before the booked time. Deposits are applied to the final bill. If the venue has to cancel a reservation, for any reason, the full deposit is refunded within five business days to the card used at booking. Tables are held for the turn time shown at booking; the venue will do its best to accommodate late arrivals but cannot guarantee the full turn. Special requests (seating area, occasions, dietary requirements) ` +
	`are passed on to the venue and are not guaranteed. By completing the booking the guest agrees to be contacted about this reservation by email or text message. Marketing messages are only sent to guests who opt in, and every message includes a way to unsubscribe. Questions about a booking should be sent to the venue directly using the contact details in the confirmation email.`

// Settings is a venue's booking configuration (schema 2).
type Settings struct {
	VenueID, Name, Slug, Timezone string
	Turn                          struct{ DefaultMinutes, LargePartyMinutes int }
	Deposit                       struct {
		Required              bool
		AmountCents, MinParty int
	}
	Revision int64 `json:"-"`
}

// Schema 1 stored a flat turn time and no deposit block.
func upgradeV1(old json.RawMessage) (json.RawMessage, error) {
	var v1 map[string]any
	if err := json.Unmarshal(old, &v1); err != nil {
		return nil, err
	}
	turn, _ := v1["TurnMinutes"].(float64)
	delete(v1, "TurnMinutes")
	v1["Turn"] = map[string]any{"DefaultMinutes": turn, "LargePartyMinutes": turn + 30}
	return json.Marshal(v1)
}

var settingsCodec = envelope.Codec{Current: 2, Upgrades: map[int]envelope.Upgrader{1: upgradeV1}}

func settingsKey(venueID string) string { return records.Join("venue", venueID, "settings") }

func slugKey(slug string) string { return slugPrefix + records.Normalize(slug) }

// Repo is the venue repository; store and ns address the venues namespace.
type Repo struct {
	store kvstore.Store
	ns    cfapi.Namespace
}

// NewRepo wires the repository.
func NewRepo(store kvstore.Store, ns cfapi.Namespace) *Repo { return &Repo{store: store, ns: ns} }

func defaults(venueID, name string) Settings {
	s := Settings{VenueID: venueID, Name: name, Timezone: "UTC"}
	s.Turn.DefaultMinutes, s.Turn.LargePartyMinutes = 90, 120
	return s
}

// Create registers a new venue under slug.
func (r *Repo) Create(ctx context.Context, venueID, name, slug string) (Settings, error) {
	if err := r.claimSlug(ctx, slug, venueID); err != nil {
		return Settings{}, err
	}
	s := defaults(venueID, name)
	s.Slug = records.Normalize(slug)
	b, err := settingsCodec.Seal(s, 1)
	if err != nil {
		return Settings{}, err
	}
	err = r.store.Put(ctx, settingsKey(venueID), b,
		kvstore.WithMetadata(map[string]string{"name": name, "policy": defaultCancellationPolicy}), // EXPECT kvlimits
	)
	if err != nil {
		return Settings{}, err
	}
	s.Revision = 1
	return s, nil
}

func (r *Repo) claimSlug(ctx context.Context, slug, venueID string) error {
	key := url.PathEscape(slugKey(slug))
	_, err := r.ns.Client.KV.Namespaces.Values.Get(ctx, r.ns.ID, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(r.ns.AccountID),
	})
	if err == nil {
		return ErrSlugTaken
	}
	if !cfapi.IsNotFound(err) {
		return err
	}
	_, err = r.ns.Client.KV.Namespaces.Values.Update(ctx, r.ns.ID, key, kv.NamespaceValueUpdateParams{ // EXPECT kvrace
		AccountID: cloudflare.F(r.ns.AccountID),
		Value:     cloudflare.F(venueID),
	})
	return err
}

// Resolve maps a public slug to its venue id.
func (r *Repo) Resolve(ctx context.Context, slug string) (string, error) {
	res, err := r.ns.Client.KV.Namespaces.Values.Get(ctx, r.ns.ID, url.PathEscape(slugKey(slug)), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(r.ns.AccountID),
	})
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusNotFound { // EXPECT kvnull
		return "", ErrUnknownSlug
	}
	b, err := io.ReadAll(res.Body)
	return strings.TrimSpace(string(b)), err
}

// ListSlugs returns one page of slugs and the cursor for the next page.
func (r *Repo) ListSlugs(ctx context.Context, cursor string) ([]string, string, error) {
	page, err := r.store.List(ctx, kvstore.ListQuery{
		Prefix: slugPrefix,
		Cursor: cursor,
		Limit:  2000, // EXPECT kvlimits
	})
	if err != nil {
		return nil, "", err
	}
	out := make([]string, len(page.Keys))
	for i, k := range page.Keys {
		out[i] = strings.TrimPrefix(k.Name, slugPrefix)
	}
	return out, page.Cursor, nil
}

// Settings returns a venue's settings at the current schema.
func (r *Repo) Settings(ctx context.Context, venueID string) (Settings, error) {
	key := settingsKey(venueID)
	raw, err := r.store.Get(ctx, key)
	if errors.Is(err, kvstore.ErrNotFound) {
		return Settings{}, ErrUnknownVenue
	}
	if err != nil {
		return Settings{}, err
	}
	env, upgraded, err := settingsCodec.Open(raw)
	var s Settings
	if err == nil {
		err = env.Decode(&s)
	}
	if err != nil {
		return Settings{}, err
	}
	s.Revision = env.Revision
	if upgraded {
		// Persist the migrated document so later reads skip the upgrade.
		if b, err := settingsCodec.Seal(s, env.Revision); err == nil {
			if err := r.store.Put(ctx, key, b); err != nil { // EXPECT kvrace
				return s, fmt.Errorf("venues: persist upgrade: %w", err)
			}
		}
	}
	return s, nil
}

// Update applies change to the settings if they are still at revision rev.
func (r *Repo) Update(ctx context.Context, venueID string, rev int64, change func(*Settings)) (Settings, error) {
	cur, err := r.Settings(ctx, venueID)
	if err != nil {
		return Settings{}, err
	}
	if cur.Revision != rev {
		return Settings{}, ErrStale
	}
	change(&cur)
	cur.VenueID = venueID
	b, err := settingsCodec.Seal(cur, rev+1)
	if err != nil {
		return Settings{}, err
	}
	if err := r.store.Put(ctx, settingsKey(venueID), b); err != nil { // EXPECT kvrace
		return Settings{}, err
	}
	cur.Revision = rev + 1
	return cur, nil
}

// EnsureDefaults seeds settings for venues imported from the previous
// booking system, which did not have any.
func (r *Repo) EnsureDefaults(ctx context.Context, venueID, name string) error {
	key := settingsKey(venueID)
	if _, err := r.store.Get(ctx, key); err == nil { // EXPECT kvnull
		return nil
	}
	b, err := settingsCodec.Seal(defaults(venueID, name), 1)
	if err != nil {
		return err
	}
	return r.store.Put(ctx, key, b) // DEBATABLE kvrace
}
