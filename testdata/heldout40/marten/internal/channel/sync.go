package channel

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"
)

// Drift is a booking whose status differs between a site and us.
type Drift struct {
	Ref    string
	Ours   string
	Theirs string
}

// Reconcile compares every stored booking of a site with the site's own
// status list and returns the bookings that drifted.
func (m *Manager) Reconcile(ctx context.Context, site string, remote map[string]string) ([]Drift, error) {
	prefix := bookingPrefix.Of(site + "/")
	var names []string
	cursor := ""
	for {
		keys, next, err := m.kv.Page(ctx, prefix, cursor, 1000) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, k := range keys {
			names = append(names, k.Name)
		}
		if next == "" {
			break
		}
		cursor = next
	}

	var (
		mu     sync.Mutex
		drifts []Drift
	)
	errc := make(chan error, len(names))
	for _, name := range names {
		go func(name string) {
			raw, err := m.kv.Get(ctx, name) // EXPECT kvlist
			if err != nil {
				errc <- fmt.Errorf("%s: %w", name, err)
				return
			}
			var b Booking
			if err := json.Unmarshal(raw, &b); err != nil {
				errc <- fmt.Errorf("%s: %w", name, err)
				return
			}
			if theirs, ok := remote[b.Ref]; ok && theirs != b.Status {
				mu.Lock()
				drifts = append(drifts, Drift{Ref: b.Ref, Ours: b.Status, Theirs: theirs})
				mu.Unlock()
			}
			errc <- nil
		}(name)
	}
	var first error
	for range names {
		if err := <-errc; err != nil && first == nil {
			first = err
		}
	}
	return drifts, first
}

// RecentRefs returns at most limit booking references of a site.
func (m *Manager) RecentRefs(ctx context.Context, site string, limit int) ([]string, error) {
	var refs []string
	cursor := ""
collect:
	for len(refs) < limit {
		keys, next, err := m.kv.Page(ctx, bookingPrefix.Of(site+"/"), cursor, min(1000, limit-len(refs)))
		if err != nil {
			return nil, err
		}
		for _, k := range keys {
			refs = append(refs, k.Name)
			if len(refs) == limit {
				break collect
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	return refs, nil
}

// ExportBookings writes the booking references of a site, one per line, for
// the accounting export.
func (m *Manager) ExportBookings(ctx context.Context, site string, w io.Writer) error {
	api, rc := m.kv.API()
	prefix := bookingPrefix.Of(site + "/")
	cursor := ""
	for {
		resp, err := api.ListWorkersKVKeys(ctx, rc, cloudflare.ListWorkersKVsParams{ // EXPECT kvlist
			NamespaceID: m.kv.Namespace(),
			Prefix:      prefix,
			Cursor:      cursor,
			Limit:       1000,
		})
		if err != nil {
			return err
		}
		if len(resp.Result) == 0 {
			return nil
		}
		for _, k := range resp.Result {
			if _, err := fmt.Fprintln(w, k.Name[len(prefix):]); err != nil {
				return err
			}
		}
		cursor = resp.Cursor
	}
}

// SitesPage lists the configured site mappings, one page at a time.
func (m *Manager) SitesPage(ctx context.Context, cursor string) ([]string, string, error) {
	api, rc := m.kv.API()
	resp, err := api.ListWorkersKVKeys(ctx, rc, cloudflare.ListWorkersKVsParams{
		NamespaceID: m.kv.Namespace(),
		Prefix:      string(mappingPrefix),
		Cursor:      cursor,
		Limit:       5000, // EXPECT kvlimits
	})
	if err != nil {
		return nil, "", err
	}
	sites := make([]string, 0, len(resp.Result))
	for _, k := range resp.Result {
		sites = append(sites, k.Name[len(mappingPrefix):])
	}
	return sites, resp.Cursor, nil
}

// partnerFeedKey caches the partner-central availability feed of the largest
// site, keyed by the feed request it answers.
const partnerFeedKey = "channel/feed-cache/https://partner-central.example-booking.com/api/v2/properties/availability/feed" +
	"?format=json&include=room_types,rate_plans,restrictions,closed_to_arrival,closed_to_departure,min_length_of_stay,max_length_of_stay" +
	"&fields=property_id,room_type_code,rate_plan_code,date,allotment,sold,price_single,price_double,price_extra_adult,price_extra_child" +
	"&currency=EUR&occupancy=1,2,3,4&window_start=today&window_days=365&channels=all&distribution=public,member,package,corporate" +
	"&sort=room_type_code,rate_plan_code,date&page_size=5000&expand=derived_rates,linked_rates,taxes_and_fees&locale=en-GB&tz=Europe/Berlin"

// CachePartnerFeed keeps the last feed response for an hour.
func (m *Manager) CachePartnerFeed(ctx context.Context, body []byte) error {
	return m.kv.PutTTL(ctx, partnerFeedKey, body, time.Hour) // EXPECT kvlimits
}

// PushRates sends the rates of the given nights to a site, respecting the
// site's call budget.
func (m *Manager) PushRates(ctx context.Context, site string, nights []string, send func(batch int64, night string, mp Mapping) error) error {
	mp := m.mapping(ctx, site)
	batch, err := m.nextBatchID(ctx, site)
	if err != nil {
		return err
	}
	for _, night := range nights {
		ok, err := m.allow(ctx, site)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("channel: %s budget exhausted at %s", site, night)
		}
		if err := send(batch, night, mp); err != nil {
			return err
		}
		if err := m.kv.PutTTL(ctx, "channel/pushed/"+site+"/"+night, []byte(time.Now().UTC().Format(time.RFC3339)), 48*time.Hour); err != nil {
			return err
		}
	}
	return nil
}
