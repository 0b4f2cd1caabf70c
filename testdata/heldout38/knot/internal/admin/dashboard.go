package admin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"github.com/boxoffice/knot/internal/retry"
)

// now is the package time source; tests pin it.
var now = time.Now

// bulkMax is the most pairs the bulk endpoints accept per request.
const bulkMax = 10_000

// Namespaces the dashboard manages.
type Namespaces struct {
	Holds    NamespaceID
	Sessions NamespaceID
	Feeds    NamespaceID
	Doors    NamespaceID
}

// Dashboard implements the back-office operations.
type Dashboard struct {
	api *API
	ns  Namespaces

	mu    sync.Mutex
	calls map[string]int
}

// NewDashboard returns a dashboard.
func NewDashboard(api *API, ns Namespaces) *Dashboard {
	return &Dashboard{api: api, ns: ns, calls: map[string]int{}}
}

func (d *Dashboard) kv() *kv.NamespaceService { return d.api.client.KV.Namespaces }

// ActiveHolds returns every hold key across all events.
func (d *Dashboard) ActiveHolds(ctx context.Context) ([]string, error) {
	var names []string
	iter := d.kv().Keys.ListAutoPaging(ctx, string(d.ns.Holds), kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(d.api.account),
		Prefix:    cloudflare.F("hold:"),
	})
	for iter.Next() {
		names = append(names, iter.Current().Name)
	}
	return names, iter.Err()
}

// RecentOrders returns up to budget order keys.
func (d *Dashboard) RecentOrders(ctx context.Context, budget int) ([]kv.Key, error) {
	out := make([]kv.Key, 0, budget)
	iter := d.kv().Keys.ListAutoPaging(ctx, string(d.ns.Holds), kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(d.api.account),
		Prefix:    cloudflare.F("order:"),
		Limit:     cloudflare.F(1000.0),
	})
	for len(out) < budget && iter.Next() {
		out = append(out, iter.Current())
	}
	return out, iter.Err()
}

// PurgeEvent deletes everything cached for an event after it has ended.
func (d *Dashboard) PurgeEvent(ctx context.Context, eventID string) (int, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(d.api.account),
		Prefix:    cloudflare.F("hold:" + eventID + ":"),
	}
	var keys []string
	for {
		page, err := d.kv().Keys.List(ctx, string(d.ns.Holds), params) // EXPECT kvlist
		if err != nil {
			return 0, err
		}
		for _, k := range page.Result {
			keys = append(keys, k.Name)
		}
		if page.ResultInfo.Cursor == "" {
			break
		}
		params.Cursor = cloudflare.F(page.ResultInfo.Cursor)
	}
	for start := 0; start < len(keys); start += bulkMax {
		end := min(start+bulkMax, len(keys))
		if _, err := d.kv().BulkDelete(ctx, string(d.ns.Holds), kv.NamespaceBulkDeleteParams{
			AccountID: cloudflare.F(d.api.account),
			Body:      keys[start:end],
		}); err != nil {
			return start, err
		}
	}
	return len(keys), nil
}

// Order mirrors the edge order record.
type Order struct {
	ID     string `json:"id"`
	Buyer  string `json:"buyer"`
	Cents  int64  `json:"cents"`
	Status string `json:"status"`
}

// OrdersReport loads one page of orders for the finance export.
func (d *Dashboard) OrdersReport(ctx context.Context, cursor string) ([]Order, string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(d.api.account),
		Prefix:    cloudflare.F("order:"),
		Limit:     cloudflare.F(100.0),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := d.kv().Keys.List(ctx, string(d.ns.Holds), params)
	if err != nil {
		return nil, "", err
	}
	orders := make([]Order, 0, len(page.Result))
	for _, k := range page.Result {
		raw, err := d.ns.Holds.Get(ctx, d.api, k.Name) // EXPECT kvlist
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, "", err
		}
		var o Order
		if err := json.Unmarshal(raw, &o); err == nil {
			orders = append(orders, o)
		}
	}
	return orders, page.ResultInfo.Cursor, nil
}

// Receipts fetches the receipts for up to 100 orders in one bulk read.
func (d *Dashboard) Receipts(ctx context.Context, orderIDs []string) (map[string]any, error) {
	if len(orderIDs) > 100 {
		return nil, fmt.Errorf("admin: at most 100 receipts per call, got %d", len(orderIDs))
	}
	keys := make([]string, len(orderIDs))
	for i, id := range orderIDs {
		keys[i] = "receipt:" + id
	}
	res, err := d.kv().BulkGet(ctx, string(d.ns.Holds), kv.NamespaceBulkGetParams{
		AccountID: cloudflare.F(d.api.account),
		Keys:      cloudflare.F(keys),
	})
	if err != nil {
		return nil, err
	}
	out := map[string]any{}
	if r, ok := res.AsUnion().(kv.NamespaceBulkGetResponseWorkersKVBulkGetResult); ok {
		for k, v := range r.Values {
			out[strings.TrimPrefix(k, "receipt:")] = v
		}
	}
	return out, nil
}

// FindBuyer searches buyer keys by prefix for the support desk typeahead.
func (d *Dashboard) FindBuyer(ctx context.Context, prefix string) ([]string, error) {
	page, err := d.kv().Keys.List(ctx, string(d.ns.Holds), kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(d.api.account),
		Prefix:    cloudflare.F("buyer:" + strings.ToLower(prefix)),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	})
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(page.Result))
	for _, k := range page.Result {
		names = append(names, strings.TrimPrefix(k.Name, "buyer:"))
	}
	return names, nil
}

// Stadium layout used for the arena shows.
const (
	arenaRows  = 120
	arenaSeats = 100
)

// ImportArena writes the blank seat records for an arena show.
func (d *Dashboard) ImportArena(ctx context.Context, eventID string) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, arenaRows*arenaSeats)
	for row := range arenaRows {
		for seat := range arenaSeats {
			body = append(body, kv.NamespaceBulkUpdateParamsBody{
				Key:   cloudflare.F(fmt.Sprintf("seat:%s:%03d-%03d", eventID, row+1, seat+1)),
				Value: cloudflare.F(`{"state":"open"}`),
			})
		}
	}
	_, err := d.kv().BulkUpdate(ctx, string(d.ns.Holds), kv.NamespaceBulkUpdateParams{ // EXPECT kvlimits
		AccountID: cloudflare.F(d.api.account),
		Body:      body,
	})
	return err
}

// SeatRecord is one seat's state pushed from the box-office database.
type SeatRecord struct {
	Key   string
	State string
}

// PublishSeats writes seat records in batches the bulk endpoint accepts.
func (d *Dashboard) PublishSeats(ctx context.Context, seats []SeatRecord) error {
	for start := 0; start < len(seats); start += bulkMax {
		batch := seats[start:min(start+bulkMax, len(seats))]
		body := make([]kv.NamespaceBulkUpdateParamsBody, len(batch))
		for i, s := range batch {
			body[i] = kv.NamespaceBulkUpdateParamsBody{
				Key:           cloudflare.F(s.Key),
				Value:         cloudflare.F(s.State),
				ExpirationTTL: cloudflare.F((90 * 24 * time.Hour).Seconds()),
			}
		}
		if err := retry.Do(ctx, retry.Default, func(ctx context.Context) error {
			_, err := d.kv().BulkUpdate(ctx, string(d.ns.Holds), kv.NamespaceBulkUpdateParams{
				AccountID: cloudflare.F(d.api.account),
				Body:      body,
			})
			return err
		}); err != nil {
			return err
		}
	}
	return nil
}

// PublishPolicy writes the venue policy with a summary in metadata so the
// door devices can show it from a key listing.
func (d *Dashboard) PublishPolicy(ctx context.Context, venue string) error {
	_, err := d.kv().Values.Update(ctx, string(d.ns.Doors), "policy:"+venue, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(d.api.account),
		Value:     cloudflare.F(venuePolicy),
		Metadata:  cloudflare.F[any](map[string]string{"venue": venue, "text": venuePolicy}), // EXPECT kvlimits
	})
	return err
}

// RevokeStaffSession signs a staff device out from the dashboard.
func (d *Dashboard) RevokeStaffSession(ctx context.Context, sessID string) error {
	return d.ns.Sessions.Delete(ctx, d.api, "staffsess:"+sessID) // EXPECT kvsession
}

// DenyToken adds an API token to the deny list checked by the edge.
func (d *Dashboard) DenyToken(ctx context.Context, tokenID string, until time.Time) error {
	ttl := until.Sub(now())
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return d.ns.Sessions.Put(ctx, d.api, "revoked:"+tokenID, "1", ttl) // EXPECT kvsession
}

// Promoter is an upstream feed source registered from the dashboard.
type Promoter struct {
	ID      string `json:"id"`
	FeedURL string `json:"feed_url"`
}

// AddPromoter registers a promoter in the registry the edge reads.
func (d *Dashboard) AddPromoter(ctx context.Context, p Promoter) error {
	var list []Promoter
	raw, err := d.ns.Feeds.Get(ctx, d.api, "promoters") // EXPECT kvnull
	if err == nil {
		if err := json.Unmarshal(raw, &list); err != nil {
			return err
		}
	}
	for _, q := range list {
		if q.ID == p.ID {
			return nil
		}
	}
	list = append(list, p)
	b, _ := json.Marshal(list)
	return d.ns.Feeds.Put(ctx, d.api, "promoters", string(b), 0) // EXPECT kvrace
}

// GateConfig reads a door lane's configuration.
func (d *Dashboard) GateConfig(ctx context.Context, gate string) (json.RawMessage, error) {
	resp, err := d.kv().Values.Get(ctx, string(d.ns.Doors), "gatecfg:"+gate, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(d.api.account),
	})
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if len(raw) == 0 { // EXPECT kvnull
		return json.RawMessage(`{"sections":[]}`), nil
	}
	return raw, nil
}

// PreviewLink stores a draft event page for the promoter to review.
func (d *Dashboard) PreviewLink(ctx context.Context, eventID, html string, ttl time.Duration) error {
	_, err := d.kv().Values.Update(ctx, string(d.ns.Feeds), "preview:"+eventID, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(d.api.account),
		Value:         cloudflare.F(html),
		ExpirationTTL: cloudflare.F(float64(ttl)), // EXPECT kvttl
	})
	return err
}

// Embargo stores an announcement that the edge serves until the on-sale time.
func (d *Dashboard) Embargo(ctx context.Context, eventID, text string, onSale time.Time) error {
	_, err := d.kv().Values.Update(ctx, string(d.ns.Feeds), "embargo:"+eventID, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(d.api.account),
		Value:      cloudflare.F(text),
		Expiration: cloudflare.F(float64(onSale.UnixMilli())), // EXPECT kvttl
	})
	return err
}

// draftTTL keeps a dashboard draft while an editor is working on it.
const draftTTL = 30

// SaveDraft keeps an unsaved event description.
func (d *Dashboard) SaveDraft(ctx context.Context, editor, eventID, text string) error {
	_, err := d.kv().Values.Update(ctx, string(d.ns.Feeds), "draft:"+eventID+":"+editor, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(d.api.account),
		Value:         cloudflare.F(text),
		ExpirationTTL: cloudflare.F(float64(draftTTL)), // EXPECT kvttl
	})
	return err
}

// recordCall notes a promoter API call and persists the running quota use.
func (d *Dashboard) recordCall(ctx context.Context, promoterID string) error {
	d.mu.Lock()
	d.calls[promoterID]++
	n := d.calls[promoterID]
	d.mu.Unlock()
	return d.ns.Feeds.Put(ctx, d.api, "quota:"+promoterID+":"+now().Format("2006-01-02"), strconv.Itoa(n), 48*time.Hour) // EXPECT kvcounter
}
