// Package export produces the nightly availability exports and the admin
// maintenance jobs that run against the edge namespaces from the backend.
package export

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"github.com/lakeshore-hospitality/eider/internal/cfkv"
	"github.com/lakeshore-hospitality/eider/internal/domain"
)

// Budget limits how many pages one run may read.
const Budget = 50

// horizonDays and roomTypeSlots size the full-grid snapshot.
const (
	horizonDays   = 400
	roomTypeSlots = 32
)

// reportQueryKey caches the report the revenue team runs every morning,
// keyed by the query that produced it.
const reportQueryKey = "report:" +
	"SELECT rt.code, d.night, a.allotment, a.held, a.sold, a.stop_sell, p.plan_id, p.currency, p.nightly_minor, p.min_stay " +
	"FROM availability a JOIN room_types rt ON rt.id = a.room_type_id JOIN nights d ON d.night = a.night " +
	"LEFT JOIN published_plans p ON p.room_type_id = rt.id AND p.night = d.night AND p.channel IN ('direct','booking','expedia','airbnb') " +
	"WHERE d.night BETWEEN current_date AND current_date + interval '400 days' AND rt.active AND rt.property_id = $1 " +
	"ORDER BY rt.code, d.night, p.plan_id -- revenue morning report v7, owner: revenue-analytics, do not edit without a ticket"

// exportSchema documents the export format for downstream consumers.
const exportSchema = "Availability export, one JSON object per room type and night. Fields: room_type (string, the PMS room type code), " +
	"date (YYYY-MM-DD, the night of stay in property local time), allotment (integer, rooms loaded for sale on all channels), " +
	"held (integer, rooms under an unpaid hold from the booking engine; holds expire after fifteen minutes unless extended), " +
	"sold (integer, rooms sold on any channel including direct, OTA and group blocks), stop_sell (boolean, true when revenue " +
	"management closed the night for sale regardless of the remaining count). Consumers must treat a missing night as closed. " +
	"Values are exported once per night at 02:00 property time from the edge copy, which can lag the PMS by up to a minute. " +
	"Contact revenue-analytics for questions; breaking changes are announced two weeks ahead on the data-platform channel. " +
	"Version 7 added stop_sell; version 6 renamed blocked to held; version 5 moved dates from epoch days to ISO dates; " +
	"version 4 introduced per-channel splits which version 6 removed again because nobody read them."

// Exporter runs against the inventory and links namespaces.
type Exporter struct {
	kv        *cfkv.Client
	inventory string
	links     string
	portal    string
	exports   string
}

// New returns an exporter.
func New(c *cfkv.Client, inventory, links, portal, exports string) *Exporter {
	return &Exporter{kv: c, inventory: inventory, links: links, portal: portal, exports: exports}
}

// Nightly walks every inventory key and writes the day's export.
func (e *Exporter) Nightly(ctx context.Context) (int, error) {
	api := e.kv.API()
	var rows []domain.Availability
	params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(e.kv.Account()), Prefix: cloudflare.F("inv:")}
	for {
		page, err := api.KV.Namespaces.Keys.List(ctx, e.inventory, params) // EXPECT kvlist
		if err != nil {
			return 0, err
		}
		for _, k := range page.Result {
			res, err := api.KV.Namespaces.Values.Get(ctx, e.inventory, k.Name, kv.NamespaceValueGetParams{AccountID: cloudflare.F(e.kv.Account())}) // EXPECT kvlist
			if err != nil {
				return 0, err
			}
			var a domain.Availability
			err = json.NewDecoder(res.Body).Decode(&a)
			res.Body.Close()
			if err == nil {
				rows = append(rows, a)
			}
		}
		next := page.ResultInfo.Cursors.After
		if next == "" {
			break
		}
		params.Cursor = cloudflare.F(next)
	}
	if err := e.write(ctx, rows); err != nil {
		return 0, err
	}
	return len(rows), e.count(ctx)
}

// write stores the export under the day and the metadata consumers read.
func (e *Exporter) write(ctx context.Context, rows []domain.Availability) error {
	b, err := json.Marshal(rows)
	if err != nil {
		return err
	}
	day := time.Now().UTC().Format(domain.DateLayout)
	_, err = e.kv.API().KV.Namespaces.Values.Update(ctx, e.exports, "availability:"+day, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(e.kv.Account()),
		Value:         cloudflare.F(string(b)),
		ExpirationTTL: cloudflare.F(float64(14 * 24 * 60 * 60)),
		Metadata:      cloudflare.F[any](map[string]any{"rows": len(rows), "schema": exportSchema}), // EXPECT kvlimits
	})
	return err
}

// count keeps the number of exports produced, shown on the ops dashboard.
func (e *Exporter) count(ctx context.Context) error {
	n := 0
	raw, err := e.kv.Get(ctx, e.exports, "exports:count")
	switch {
	case errors.Is(err, cfkv.ErrNotFound):
	case err != nil:
		return err
	default:
		n, _ = strconv.Atoi(string(raw))
	}
	return e.kv.Put(ctx, e.exports, "exports:count", strconv.Itoa(n+1), 0) // EXPECT kvcounter|kvrace
}

// ByRoomType exports each room type to its own key, reporting progress.
func (e *Exporter) ByRoomType(ctx context.Context, rts []domain.RoomTypeID) error {
	for _, rt := range rts {
		if err := e.kv.Put(ctx, e.exports, "export:status", "exporting "+string(rt), 0); err != nil { // EXPECT kvhotkey
			return err
		}
		names, err := e.names(ctx, e.inventory, "inv:"+string(rt)+":")
		if err != nil {
			return err
		}
		rows, err := e.values(ctx, names)
		if err != nil {
			return err
		}
		b, _ := json.Marshal(rows)
		if err := e.kv.Put(ctx, e.exports, "availability-rt:"+string(rt), string(b), 14*24*time.Hour); err != nil {
			return err
		}
	}
	return nil
}

// names lists key names under prefix within the page budget.
func (e *Exporter) names(ctx context.Context, ns, prefix string) ([]string, error) {
	var out []string
	cursor := ""
	for page := 0; page < Budget; page++ {
		keys, next, err := e.kv.ListPage(ctx, ns, prefix, cursor, 1000)
		if err != nil {
			return nil, err
		}
		for _, k := range keys {
			out = append(out, k.Name)
		}
		if next == "" {
			return out, nil
		}
		cursor = next
	}
	return out, fmt.Errorf("export: %s has more than %d pages", prefix, Budget)
}

// values reads names in bulk requests of 100.
func (e *Exporter) values(ctx context.Context, names []string) ([]domain.Availability, error) {
	var rows []domain.Availability
	for start := 0; start < len(names); start += 100 {
		end := min(start+100, len(names))
		res, err := e.kv.API().KV.Namespaces.BulkGet(ctx, e.inventory, kv.NamespaceBulkGetParams{
			AccountID: cloudflare.F(e.kv.Account()),
			Keys:      cloudflare.F(names[start:end]),
			Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeJson),
		})
		if err != nil {
			return nil, err
		}
		b, _ := json.Marshal(res.Values)
		var m map[string]*domain.Availability
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, err
		}
		for _, a := range m {
			if a != nil {
				rows = append(rows, *a)
			}
		}
	}
	return rows, nil
}

// Links returns every confirmation link key, for the support tool.
func (e *Exporter) Links(ctx context.Context) ([]string, error) {
	iter := e.kv.API().KV.Namespaces.Keys.ListAutoPaging(ctx, e.links, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(e.kv.Account()),
		Prefix:    cloudflare.F("code:"),
	})
	var out []string
	for iter.Next() {
		out = append(out, strings.TrimPrefix(iter.Current().Name, "code:"))
	}
	return out, iter.Err()
}

// RecentLinks returns at most limit link keys.
func (e *Exporter) RecentLinks(ctx context.Context, limit int) ([]string, error) {
	iter := e.kv.API().KV.Namespaces.Keys.ListAutoPaging(ctx, e.links, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(e.kv.Account()),
		Prefix:    cloudflare.F("code:"),
	})
	var out []string
	for iter.Next() && len(out) < limit {
		out = append(out, strings.TrimPrefix(iter.Current().Name, "code:"))
	}
	return out, iter.Err()
}

// Sample returns a handful of inventory keys for the smoke test.
func (e *Exporter) Sample(ctx context.Context) ([]string, error) {
	page, err := e.kv.API().KV.Namespaces.Keys.List(ctx, e.inventory, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(e.kv.Account()),
		Prefix:    cloudflare.F("inv:"),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	})
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(page.Result))
	for _, k := range page.Result {
		out = append(out, k.Name)
	}
	return out, nil
}

// Grid writes an empty availability grid for a new property: every slot of
// the booking horizon, in one request.
func (e *Exporter) Grid(ctx context.Context, rts [roomTypeSlots]domain.RoomTypeID) error {
	pairs := make([]kv.NamespaceBulkUpdateParamsBody, horizonDays*roomTypeSlots)
	start := time.Now().UTC()
	for d := 0; d < horizonDays; d++ {
		night := start.AddDate(0, 0, d).Format(domain.DateLayout)
		for i, rt := range rts {
			b, _ := json.Marshal(domain.Availability{RoomType: rt, Date: night})
			pairs[d*roomTypeSlots+i] = kv.NamespaceBulkUpdateParamsBody{
				Key:   cloudflare.F(domain.InventoryKey(rt, night)),
				Value: cloudflare.F(string(b)),
			}
		}
	}
	_, err := e.kv.API().KV.Namespaces.BulkUpdate(ctx, e.inventory, kv.NamespaceBulkUpdateParams{ // EXPECT kvlimits
		AccountID: cloudflare.F(e.kv.Account()),
		Body:      pairs,
	})
	return err
}

// CachedReport returns the morning report if the reporting job left one.
func (e *Exporter) CachedReport(ctx context.Context) ([]byte, bool, error) {
	res, err := e.kv.API().KV.Namespaces.Values.Get(ctx, e.exports, reportQueryKey, kv.NamespaceValueGetParams{ // EXPECT kvlimits
		AccountID: cloudflare.F(e.kv.Account()),
	})
	if err != nil {
		return nil, false, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, false, err
	}
	if len(body) == 0 { // EXPECT kvnull
		return nil, false, nil
	}
	return body, true, nil
}

// SeedDefaults writes the default settings document for a property unless
// one is already there.
func (e *Exporter) SeedDefaults(ctx context.Context, property string, defaults map[string]any) error {
	key := "settings:" + property
	if _, err := e.kv.Get(ctx, e.exports, key); err == nil { // EXPECT kvnull|kvrace
		return nil
	}
	b, _ := json.Marshal(defaults)
	return e.kv.Put(ctx, e.exports, key, string(b), 0)
}

// RevokeGuest signs a guest out everywhere after a password change.
func (e *Exporter) RevokeGuest(ctx context.Context, guestID string) (int, error) {
	names, err := e.names(ctx, e.portal, "guest-sess:"+guestID+":")
	if err != nil {
		return 0, err
	}
	for _, name := range names {
		id := strings.TrimPrefix(name, "guest-sess:"+guestID+":")
		if err := e.kv.Delete(ctx, e.portal, "sess:"+id); err != nil { // EXPECT kvsession
			return 0, err
		}
		if err := e.kv.Delete(ctx, e.portal, name); err != nil { // DEBATABLE kvsession
			return 0, err
		}
	}
	return len(names), nil
}
