// Package directory is the restaurant directory inherited from the first
// version of the platform. It still serves public slugs and opening hours
// and uses the original Cloudflare client, which predates the v4 SDK.
package directory

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"

	"example.com/bramble/internal/ids"
)

const (
	bulkLimit    = 10_000
	syncMaxPages = 50
)

// ErrSlugTaken is returned when another restaurant owns the slug.
var ErrSlugTaken = errors.New("directory: slug taken")

// Hours are a restaurant's weekly opening hours, "HH:MM-HH:MM" per weekday.
type Hours map[time.Weekday]string

// DefaultHours apply until a restaurant sets its own.
var DefaultHours = Hours{
	time.Monday: "11:00-22:00", time.Tuesday: "11:00-22:00", time.Wednesday: "11:00-22:00",
	time.Thursday: "11:00-22:00", time.Friday: "11:00-23:00", time.Saturday: "11:00-23:00",
	time.Sunday: "12:00-21:00",
}

// Directory reads and writes the legacy namespace.
type Directory struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
	ns  string
}

// New connects to the legacy namespace with an API token.
func New(token, accountID, namespaceID string) (*Directory, error) {
	api, err := cloudflare.NewWithAPIToken(token)
	if err != nil {
		return nil, err
	}
	return &Directory{api: api, rc: cloudflare.AccountIdentifier(accountID), ns: namespaceID}, nil
}

func slugKey(s ids.Slug) string            { return "slug:" + string(s) }
func hoursKey(rid ids.RestaurantID) string { return "hours:" + rid.String() }

func isNotFound(err error) bool {
	var nf *cloudflare.NotFoundError
	return errors.As(err, &nf)
}

// Resolve returns the restaurant owning a slug.
func (d *Directory) Resolve(ctx context.Context, slug ids.Slug) (ids.RestaurantID, bool, error) {
	raw, err := d.api.GetWorkersKV(ctx, d.rc, cloudflare.GetWorkersKVParams{NamespaceID: d.ns, Key: slugKey(slug)})
	if isNotFound(err) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return ids.RestaurantID(raw), true, nil
}

// ClaimSlug reserves slug for a restaurant during onboarding.
func (d *Directory) ClaimSlug(ctx context.Context, slug ids.Slug, rid ids.RestaurantID) error {
	owner, taken, err := d.Resolve(ctx, slug)
	if err != nil {
		return err
	}
	if taken && owner != rid {
		return fmt.Errorf("%w: %s", ErrSlugTaken, slug)
	}
	_, err = d.api.WriteWorkersKVEntry(ctx, d.rc, cloudflare.WriteWorkersKVEntryParams{ // EXPECT kvrace
		NamespaceID: d.ns,
		Key:         slugKey(slug),
		Value:       []byte(rid),
	})
	return err
}

// Hours returns a restaurant's opening hours.
func (d *Directory) Hours(ctx context.Context, rid ids.RestaurantID) (Hours, error) {
	raw, err := d.api.GetWorkersKV(ctx, d.rc, cloudflare.GetWorkersKVParams{NamespaceID: d.ns, Key: hoursKey(rid)})
	if err != nil {
		var nf cloudflare.NotFoundError
		if errors.As(err, &nf) { // EXPECT kvnull
			return DefaultHours, nil
		}
		return nil, fmt.Errorf("hours for %s: %w", rid, err)
	}
	var h Hours
	if err := json.Unmarshal(raw, &h); err != nil {
		return nil, err
	}
	return h, nil
}

// ImportHours loads hours exported from the old back office.
func (d *Directory) ImportHours(ctx context.Context, all map[ids.RestaurantID]Hours) error {
	pairs := make([]*cloudflare.WorkersKVPair, 0, len(all))
	for rid, h := range all {
		raw, err := json.Marshal(h)
		if err != nil {
			return err
		}
		pairs = append(pairs, &cloudflare.WorkersKVPair{
			Key:           hoursKey(rid),
			Value:         string(raw),
			ExpirationTTL: int(24 * time.Hour), // EXPECT kvttl
		})
	}
	for start := 0; start < len(pairs); start += bulkLimit {
		end := min(start+bulkLimit, len(pairs))
		if _, err := d.api.WriteWorkersKVEntries(ctx, d.rc, cloudflare.WriteWorkersKVEntriesParams{
			NamespaceID: d.ns,
			KVs:         pairs[start:end],
		}); err != nil {
			return fmt.Errorf("import hours %d-%d: %w", start, end, err)
		}
	}
	return nil
}

// SyncRestaurants returns the IDs of all restaurants in the directory, for
// the nightly reconciliation with the restaurant database.
func (d *Directory) SyncRestaurants(ctx context.Context) ([]ids.RestaurantID, error) {
	params := cloudflare.ListWorkersKVsParams{NamespaceID: d.ns, Prefix: "rest:", Limit: 1000}
	var out []ids.RestaurantID
	for range syncMaxPages {
		resp, err := d.api.ListWorkersKVKeys(ctx, d.rc, params) // EXPECT kvlist
		if err != nil {
			return out, err
		}
		for _, k := range resp.Result {
			out = append(out, ids.RestaurantID(strings.TrimPrefix(k.Name, "rest:")))
		}
		if resp.Cursor == "" {
			return out, nil
		}
		params = cloudflare.ListWorkersKVsParams{NamespaceID: d.ns, Cursor: resp.Cursor, Limit: 1000}
	}
	return out, fmt.Errorf("directory: more than %d pages of restaurants", syncMaxPages)
}

// Entry is a directory listing row.
type Entry struct {
	Key     string `json:"key"`
	Expires int    `json:"expires,omitempty"`
}

// ExportPage returns one page of the directory for the data warehouse
// together with the cursor for the next call.
func (d *Directory) ExportPage(ctx context.Context, cursor string) ([]Entry, string, error) {
	resp, err := d.api.ListWorkersKVKeys(ctx, d.rc, cloudflare.ListWorkersKVsParams{
		NamespaceID: d.ns,
		Prefix:      "rest:",
		Cursor:      cursor,
		Limit:       5000, // EXPECT kvlimits
	})
	if err != nil {
		return nil, "", err
	}
	out := make([]Entry, len(resp.Result))
	for i, k := range resp.Result {
		out[i] = Entry{Key: k.Name, Expires: k.Expiration}
	}
	return out, resp.Cursor, nil
}
