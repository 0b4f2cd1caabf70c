package backoffice

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"regexp"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"github.com/tablekeep/bluethroat/internal/cfkv"
)

// ErrSlugTaken is returned when another restaurant has the booking-page slug.
var ErrSlugTaken = errors.New("backoffice: slug already in use")

var slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{2,40}$`)

// cancellationPolicy is shown on every confirmation and stored alongside the
// restaurant's settings so the worker can render it without a second read.
const cancellationPolicy = `Cancellations made more than 24 hours before the booked time are free of charge and any deposit is refunded in full to the original card within five to ten working days. ` +
	`Cancellations made between 24 hours and 2 hours before the booked time forfeit half of the deposit; the remaining half is refunded to the original card. ` +
	`Cancellations made less than 2 hours before the booked time, and bookings where no member of the party arrives within 20 minutes of the booked time, forfeit the full deposit. ` +
	`Reducing the size of a party by more than two guests on the day counts as a partial cancellation and the deposit for the missing guests is retained. ` +
	`Guests with two or more recorded no-shows in the previous twelve months will be asked for a deposit on every future booking regardless of party size. ` +
	`Bookings of eight or more guests are held in the private room and are subject to the group dining terms, which include a pre-ordered set menu and a minimum spend. ` +
	`We hold tables for 20 minutes after the booked time; after that the table may be released to walk-in guests and the booking will be treated as a no-show.`

// Restaurant is the back office's record of a restaurant.
type Restaurant struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	Slug     string   `json:"slug"`
	Timezone string   `json:"timezone"`
	Tables   []string `json:"tables"`
	Shifts   []string `json:"shifts"`
	MaxParty int      `json:"max_party"`
}

// Publisher pushes restaurant data from the back office to KV.
type Publisher struct {
	Store *cfkv.Store
	Now   func() time.Time
}

// ClaimSlug reserves a booking-page slug for a restaurant.
func (p *Publisher) ClaimSlug(ctx context.Context, restaurantID, slug string) error {
	if !slugPattern.MatchString(slug) {
		return fmt.Errorf("backoffice: invalid slug %q", slug)
	}
	owner, err := p.Store.Get(ctx, "slug:"+slug)
	switch {
	case err == nil:
		if string(owner) == restaurantID {
			return nil
		}
		return ErrSlugTaken
	case !errors.Is(err, cfkv.ErrNotFound):
		return err
	}
	return p.Store.Put(ctx, "slug:"+slug, []byte(restaurantID), 0) // EXPECT kvrace
}

// SyncRestaurants writes each restaurant's settings for the worker to read.
func (p *Publisher) SyncRestaurants(ctx context.Context, restaurants []Restaurant) error {
	for i, r := range restaurants {
		body, err := json.Marshal(r)
		if err != nil {
			return err
		}
		if err := p.Store.Put(ctx, "settings:"+r.ID, body, 0); err != nil {
			return err
		}
		progress := fmt.Sprintf(`{"done":%d,"of":%d,"last":%q}`, i+1, len(restaurants), r.ID)
		if err := p.Store.Put(ctx, "sync:progress", []byte(progress), 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return p.Store.Put(ctx, "sync:last-run", []byte(p.Now().Format(time.RFC3339)), 0)
}

// WarmMenus pre-loads the menu cache the worker reads through, for an hour.
func (p *Publisher) WarmMenus(ctx context.Context, menus map[string][]byte) error {
	pairs := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(menus))
	for id, body := range menus {
		pairs = append(pairs, kv.NamespaceBulkUpdateParamsBody{
			Key:           cloudflare.F("menu:" + id),
			Value:         cloudflare.F(string(body)),
			ExpirationTTL: cloudflare.F(3600.0),
		})
	}
	failed, err := p.Store.BulkPut(ctx, pairs)
	if err != nil {
		return err
	}
	if len(failed) > 0 {
		return fmt.Errorf("backoffice: %d menus not cached: %v", len(failed), failed)
	}
	return nil
}

// PublishPolicy stores the restaurant's terms page with the policy text in its metadata.
func (p *Publisher) PublishPolicy(ctx context.Context, restaurantID string, termsHTML []byte) error {
	_, err := p.Store.Client.KV.Namespaces.Values.Update(ctx, p.Store.Namespace, "terms:"+restaurantID, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(p.Store.AccountID),
		Value:     cloudflare.F(string(termsHTML)),
		Metadata: cloudflare.F[any](map[string]string{
			"policy": cancellationPolicy, // EXPECT kvlimits
			"lang":   "en",
		}),
	})
	return err
}

// PublishBanner shows a promotional banner on a restaurant's page until ends.
func (p *Publisher) PublishBanner(ctx context.Context, restaurantID, html string, ends time.Time) error {
	_, err := p.Store.Client.KV.Namespaces.Values.Update(ctx, p.Store.Namespace, "notice:"+restaurantID, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(p.Store.AccountID),
		Value:      cloudflare.F(html),
		Expiration: cloudflare.F(float64(ends.Unix() * 1000)), // EXPECT kvttl
		Metadata:   cloudflare.F[any](map[string]string{"ends": ends.Format(time.RFC3339)}),
	})
	return err
}

// PublishClosure marks a restaurant closed for the rest of the day, with a
// notice that disappears on its own.
func (p *Publisher) PublishClosure(ctx context.Context, restaurantID, reason string, reopen time.Duration) error {
	_, err := p.Store.Client.KV.Namespaces.Values.Update(ctx, p.Store.Namespace, "notice:"+restaurantID, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(p.Store.AccountID),
		Value:         cloudflare.F(`<strong>Closed today</strong> ` + reason),
		ExpirationTTL: cloudflare.F(float64(reopen)), // EXPECT kvttl
	})
	return err
}

// StaffTokens manages API tokens for restaurants' POS integrations.
type StaffTokens struct {
	Store *cfkv.Store
	TTL   time.Duration
}

// Rotate issues a new token for the integration and retires the old one.
func (t *StaffTokens) Rotate(ctx context.Context, integrationID string) (string, error) {
	old, err := t.Store.Get(ctx, "pos-token-of:"+integrationID)
	if err != nil && !errors.Is(err, cfkv.ErrNotFound) {
		return "", err
	}
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return "", err
	}
	fresh := hex.EncodeToString(buf)
	if err := t.Store.Put(ctx, "token:"+fresh, []byte(integrationID), t.TTL); err != nil {
		return "", err
	}
	if err := t.Store.Put(ctx, "pos-token-of:"+integrationID, []byte(fresh), t.TTL); err != nil { // DEBATABLE kvsession
		return "", err
	}
	if len(old) > 0 {
		if err := t.Store.Delete(ctx, "token:"+string(old)); err != nil { // EXPECT kvsession
			log.Printf("backoffice: retire token for %s: %v", integrationID, err)
		}
	}
	return fresh, nil
}
