package menu

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go"
	"github.com/samber/lo"
	"golang.org/x/time/rate"

	"fulmar/internal/keys"
	"fulmar/internal/kvstore"
)

// allergenLegend is attached to every published price list so the edge can
// render the legend without a second read.
const allergenLegend = `1 Cereals containing gluten (wheat, rye, barley, oats, spelt, kamut) and products thereof. ` +
	`2 Crustaceans and products thereof. 3 Eggs and products thereof. 4 Fish and products thereof. ` +
	`5 Peanuts and products thereof. 6 Soybeans and products thereof. 7 Milk and products thereof, including lactose. ` +
	`8 Nuts: almonds, hazelnuts, walnuts, cashews, pecans, Brazil nuts, pistachios, macadamia or Queensland nuts, and products thereof. ` +
	`9 Celery and products thereof. 10 Mustard and products thereof. 11 Sesame seeds and products thereof. ` +
	`12 Sulphur dioxide and sulphites at concentrations of more than 10 mg/kg or 10 mg/litre in terms of total SO2. ` +
	`13 Lupin and products thereof. 14 Molluscs and products thereof. ` +
	`Dishes marked V are vegetarian, VG vegan, GF prepared without gluten-containing ingredients in a kitchen that handles gluten. ` +
	`Please tell your server about any allergy before ordering; our kitchen cannot guarantee the absence of traces. ` +
	`Prices include VAT at the applicable rate; a discretionary service charge may be added for parties of eight or more.`

// Syncer copies prices and boards from the POS export into KV with the
// legacy client. It runs as the menusync job.
type Syncer struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
	ns  string
}

// NewSyncer wraps a legacy store's client.
func NewSyncer(l *kvstore.Legacy) *Syncer {
	api, rc, ns := l.API()
	return &Syncer{api: api, rc: rc, ns: ns}
}

// PriceRow is one line of the POS price export.
type PriceRow struct {
	Venue keys.Venue
	Item  string
	Cents int
}

// ParseExport reads "venue item cents" lines.
func ParseExport(text string) []PriceRow {
	var rows []PriceRow
	for line := range strings.Lines(text) {
		f := slicesOf(strings.FieldsSeq(line))
		if len(f) != 3 {
			continue
		}
		cents, err := strconv.Atoi(f[2])
		if err != nil {
			continue
		}
		rows = append(rows, PriceRow{keys.Venue(f[0]), f[1], cents})
	}
	return rows
}

func slicesOf(seq func(func(string) bool)) []string {
	var out []string
	for s := range seq {
		out = append(out, s)
	}
	return out
}

// SyncPrices writes one key per item, paced so a large export does not trip
// the account's API rate limit.
func (s *Syncer) SyncPrices(ctx context.Context, rows []PriceRow) error {
	limiter := rate.NewLimiter(rate.Every(250*time.Millisecond), 4)
	for _, row := range rows {
		if err := limiter.Wait(ctx); err != nil {
			return err
		}
		key := fmt.Sprintf("price:%s:%s", row.Venue, row.Item)
		if _, err := s.api.WriteWorkersKVEntry(ctx, s.rc, cloudflare.WriteWorkersKVEntryParams{
			NamespaceID: s.ns,
			Key:         key,
			Value:       []byte(strconv.Itoa(row.Cents)),
		}); err != nil {
			return err
		}
	}
	return nil
}

// PublishBoard pushes the rolling "now serving" board for a venue while the
// export streams in, so the edge shows progress.
func (s *Syncer) PublishBoard(ctx context.Context, venue keys.Venue, rows []PriceRow) error {
	limiter := rate.NewLimiter(rate.Limit(20), 5)
	board := make([]string, 0, len(rows))
	for _, row := range rows {
		board = append(board, row.Item)
		if err := limiter.Wait(ctx); err != nil {
			return err
		}
		_, err := s.api.WriteWorkersKVEntry(ctx, s.rc, cloudflare.WriteWorkersKVEntryParams{ // EXPECT kvhotkey
			NamespaceID: s.ns,
			Key:         fmt.Sprintf("board:%v", venue),
			Value:       lo.Must(json.Marshal(board)),
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// PublishSummary writes the venue summary once a minute while a long import
// runs.
func (s *Syncer) PublishSummary(ctx context.Context, venue keys.Venue, progress func() int) error {
	limiter := rate.NewLimiter(rate.Every(time.Minute), 1)
	for range 30 {
		if err := limiter.Wait(ctx); err != nil {
			return err
		}
		n := progress()
		if _, err := s.api.WriteWorkersKVEntry(ctx, s.rc, cloudflare.WriteWorkersKVEntryParams{
			NamespaceID: s.ns,
			Key:         "summary:" + string(venue),
			Value:       []byte(fmt.Sprintf(`{"imported":%d}`, n)),
		}); err != nil {
			return err
		}
	}
	return nil
}

// PublishPriceList writes a venue's full price list with its legend.
func (s *Syncer) PublishPriceList(ctx context.Context, venue keys.Venue, rows []PriceRow) error {
	body := lo.Must(json.Marshal(rows))
	_, err := s.api.WriteWorkersKVEntries(ctx, s.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: s.ns,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:      "pricelist:" + string(venue),
			Value:    string(body),
			Metadata: map[string]any{"rows": len(rows), "legend": allergenLegend}, // EXPECT kvlimits
		}},
	})
	return err
}

// PublishPriceIndex writes a small index entry whose metadata the edge reads
// from list results.
func (s *Syncer) PublishPriceIndex(ctx context.Context, venue keys.Venue, rows []PriceRow) error {
	_, err := s.api.WriteWorkersKVEntries(ctx, s.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: s.ns,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:      "priceindex:" + string(venue),
			Value:    strconv.Itoa(len(rows)),
			Metadata: map[string]any{"rows": len(rows), "synced": time.Now().Unix()},
		}},
	})
	return err
}

// PrewarmSlots creates the empty availability slots for the next service
// season: 400 tables times 30 nights.
func (s *Syncer) PrewarmSlots(ctx context.Context, venue keys.Venue) error {
	pairs := make([]*cloudflare.WorkersKVPair, 0, 12_000)
	for i := range 12_000 {
		pairs = append(pairs, &cloudflare.WorkersKVPair{
			Key:   fmt.Sprintf("slot:%s:%03d:%02d", venue, i%400, i/400),
			Value: "free",
		})
	}
	_, err := s.api.WriteWorkersKVEntries(ctx, s.rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: s.ns, KVs: pairs}) // EXPECT kvlimits
	return err
}

// PrewarmSlotsChunked is PrewarmSlots in bulk requests the API accepts.
func (s *Syncer) PrewarmSlotsChunked(ctx context.Context, venue keys.Venue, tables, nights int) error {
	pairs := make([]*cloudflare.WorkersKVPair, 0, tables*nights)
	for t := range tables {
		for n := range nights {
			pairs = append(pairs, &cloudflare.WorkersKVPair{Key: fmt.Sprintf("slot:%s:%03d:%02d", venue, t, n), Value: "free"})
		}
	}
	for _, chunk := range lo.Chunk(pairs, 10_000) {
		if _, err := s.api.WriteWorkersKVEntries(ctx, s.rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: s.ns, KVs: chunk}); err != nil {
			return err
		}
	}
	return nil
}

// AllPriceKeys returns every price key of a venue.
func (s *Syncer) AllPriceKeys(ctx context.Context, venue keys.Venue) ([]string, error) {
	var out []string
	cursor := ""
	for {
		resp, err := s.api.ListWorkersKVKeys(ctx, s.rc, cloudflare.ListWorkersKVsParams{ // EXPECT kvlist
			NamespaceID: s.ns,
			Prefix:      "price:" + string(venue) + ":",
			Cursor:      cursor,
		})
		if err != nil {
			return nil, err
		}
		for _, k := range resp.Result {
			out = append(out, k.Name)
		}
		if resp.Cursor == "" {
			return out, nil
		}
		cursor = resp.Cursor
	}
}

// StaleSlots returns up to maxPages pages of slot keys that expire soon.
func (s *Syncer) StaleSlots(ctx context.Context, venue keys.Venue, maxPages int) ([]string, error) {
	var out []string
	cursor := ""
	soon := time.Now().Add(6 * time.Hour).Unix()
	for page := 0; page < maxPages; page++ {
		resp, err := s.api.ListWorkersKVKeys(ctx, s.rc, cloudflare.ListWorkersKVsParams{
			NamespaceID: s.ns,
			Prefix:      "slot:" + string(venue) + ":",
			Cursor:      cursor,
			Limit:       1000,
		})
		if err != nil {
			return nil, err
		}
		for _, k := range resp.Result {
			if k.Expiration != 0 && int64(k.Expiration) < soon {
				out = append(out, k.Name)
			}
		}
		if resp.Cursor == "" {
			break
		}
		cursor = resp.Cursor
	}
	return out, nil
}

// RecentPriceKeys returns the first batch of price keys for the audit view.
func (s *Syncer) RecentPriceKeys(ctx context.Context, venue keys.Venue, cursor string) ([]string, string, error) {
	resp, err := s.api.ListWorkersKVKeys(ctx, s.rc, cloudflare.ListWorkersKVsParams{
		NamespaceID: s.ns,
		Prefix:      "price:" + string(venue) + ":",
		Cursor:      cursor,
		Limit:       5000, // EXPECT kvlimits
	})
	if err != nil {
		return nil, "", err
	}
	return lo.Map(resp.Result, func(k cloudflare.StorageKey, _ int) string { return k.Name }), resp.Cursor, nil
}

// VenueSettings are per-venue defaults the POS export does not carry.
type VenueSettings struct {
	Currency   string `json:"currency"`
	ServiceFee int    `json:"service_fee_bps"`
}

// EnsureSettings writes default settings for a venue that has none yet.
func (s *Syncer) EnsureSettings(ctx context.Context, venue keys.Venue, def VenueSettings) error {
	key := "settings:" + string(venue)
	_, err := s.api.GetWorkersKV(ctx, s.rc, cloudflare.GetWorkersKVParams{NamespaceID: s.ns, Key: key}) // EXPECT kvnull
	if err == nil {
		return nil
	}
	log.Printf("settings for %s not found, writing defaults", venue)
	_, err = s.api.WriteWorkersKVEntry(ctx, s.rc, cloudflare.WriteWorkersKVEntryParams{
		NamespaceID: s.ns, Key: key, Value: lo.Must(json.Marshal(def)),
	})
	return err
}

// EnsureTheme writes the default theme for a venue that has none yet.
func (s *Syncer) EnsureTheme(ctx context.Context, venue keys.Venue, def string) error {
	key := "theme:" + string(venue)
	_, err := s.api.GetWorkersKV(ctx, s.rc, cloudflare.GetWorkersKVParams{NamespaceID: s.ns, Key: key})
	var nf *cloudflare.NotFoundError
	switch {
	case err == nil:
		return nil
	case !errors.As(err, &nf):
		return err
	}
	_, err = s.api.WriteWorkersKVEntry(ctx, s.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: s.ns, Key: key, Value: []byte(def)})
	return err
}

// LoadSettings returns the venue's settings, or the defaults when it has none.
func (s *Syncer) LoadSettings(ctx context.Context, venue keys.Venue) (VenueSettings, error) {
	raw, err := s.api.GetWorkersKV(ctx, s.rc, cloudflare.GetWorkersKVParams{NamespaceID: s.ns, Key: "settings:" + string(venue)})
	if err != nil {
		return VenueSettings{}, err
	}
	if len(raw) == 0 { // EXPECT kvnull
		return VenueSettings{Currency: "EUR", ServiceFee: 0}, nil
	}
	var vs VenueSettings
	return vs, json.Unmarshal(raw, &vs)
}
