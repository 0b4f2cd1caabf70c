// Package dashboard serves the promoter dashboard: sales summaries, event
// listings, vanity page slugs, and a few public widgets.
package dashboard

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/boxoffice/crossbill/internal/edgekv"
	"github.com/boxoffice/crossbill/internal/telemetry"
)

// Summary is the cached sales overview of one promoter.
type Summary struct {
	PromoterID string         `json:"promoter_id"`
	Gross      int64          `json:"gross_cents"`
	Sold       int            `json:"sold"`
	ByEvent    map[string]int `json:"by_event"`
	Generated  time.Time      `json:"generated"`
}

// ErrSlugTaken is returned when a vanity slug belongs to someone else.
var ErrSlugTaken = errors.New("slug taken")

// eventTerms is attached to every listing so that resellers see the terms
// without fetching the value.
const eventTerms = "Tickets are issued to the named purchaser and are valid for a single entry on the date shown. " +
	"Re-entry is not permitted once a ticket has been scanned at any gate. Tickets may be transferred to another " +
	"fan through the official transfer flow only, up to two times per ticket, and transfers close when doors open. " +
	"Resale above face value is prohibited and tickets found listed above face value may be cancelled without refund. " +
	"The promoter may change the running order, support acts and set times without notice. Refunds are only offered " +
	"if the event is cancelled or moved to a different date, in which case ticket holders will be contacted by email. " +
	"Bags larger than A4 are not allowed. Professional cameras, audio recorders, umbrellas, glass and cans are not " +
	"allowed inside the venue. The venue operates a challenge-25 policy for alcohol. Under-14s must be accompanied " +
	"by an adult over 18. Accessible seating must be booked through the access line so that a companion ticket can be " +
	"issued. By entering the venue you consent to being filmed or photographed for promotional purposes."

// legacyWidgetKey is the key the 2019 embeddable widget still reads.
const legacyWidgetKey = "widget/v1/promoter-embed/config/" +
	"aHR0cHM6Ly93aWRnZXQuY3Jvc3NiaWxsLnRpY2tldHMvZW1iZWQvdjEvcHJvbW90ZXItZW1iZWQvY29uZmlnP3RoZW1lPWRhcmsmbG9jYWxlPWVuLUdCJmN1cnJlbmN5PUdCUCZzaG93UHJpY2VzPXRydWUmc2hvd1NvbGRPdXQ9ZmFsc2Umc29ydD1kYXRlJmxpbWl0PTI0JnBhZ2U9MSZ2ZW51ZXM9YWxsJmdlbnJlcz1hbGwmbWluUHJpY2U9MCZtYXhQcmljZT0xMDAwMDAmYWNjZXNzaWJsZT1hbnkmYWdlUmVzdHJpY3Rpb249YW55Jmluc3RhbnRCb29raW5nPXRydWU=" +
	"/aHR0cHM6Ly93aWRnZXQuY3Jvc3NiaWxsLnRpY2tldHMvZW1iZWQvdjEvcHJvbW90ZXItZW1iZWQvY29uZmlnP3RoZW1lPWxpZ2h0JmxvY2FsZT1lbi1VUyZjdXJyZW5jeT1VU0Qmc2hvd1ByaWNlcz10cnVlJnNob3dTb2xkT3V0PXRydWUmc29ydD1wb3B1bGFyaXR5JmxpbWl0PTQ4JnBhZ2U9MSZ2ZW51ZXM9YWxsJmdlbnJlcz1hbGw="

// Service implements the dashboard handlers.
type Service struct {
	DB    *pgxpool.Pool
	Cache *edgekv.Store
	Pages *edgekv.Store

	mu    sync.Mutex
	views map[string]int
	hits  atomic.Int64
}

// New returns a Service.
func New(db *pgxpool.Pool, cache, pages *edgekv.Store) *Service {
	return &Service{DB: db, Cache: cache, Pages: pages, views: make(map[string]int)}
}

// Summary returns the promoter's sales overview, cached for five minutes.
func (s *Service) Summary(ctx context.Context, promoterID string) (Summary, error) {
	key := "dash:summary:" + promoterID
	raw, err := s.Cache.Get(ctx, key)
	if err == nil {
		var sum Summary
		if json.Unmarshal(raw, &sum) == nil {
			return sum, nil
		}
	} else if !errors.Is(err, edgekv.ErrNotFound) {
		return Summary{}, err
	}
	sum := Summary{PromoterID: promoterID, ByEvent: map[string]int{}, Generated: time.Now()}
	rows, err := s.DB.Query(ctx, `select t.event_id, count(*), sum(t.price_cents) from tickets t
		join events e on e.id = t.event_id where e.promoter_id = $1 group by t.event_id`, promoterID)
	if err != nil {
		return Summary{}, err
	}
	_, err = pgx.ForEachRow(rows, []any{new(string), new(int), new(int64)}, func() error { return nil })
	if err != nil {
		return Summary{}, err
	}
	buf, _ := json.Marshal(sum)
	return sum, s.Cache.Put(ctx, key, buf, 5*time.Minute)
}

// ListingKeys returns the names of the promoter's published listings.
func (s *Service) ListingKeys(ctx context.Context, promoterID string) ([]string, error) {
	page, err := s.Pages.API.KV.Namespaces.Keys.List(ctx, s.Pages.NamespaceID, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(s.Pages.AccountID),
		Prefix:    cloudflare.F("listing:" + promoterID + ":"),
	})
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(page.Result))
	for _, k := range page.Result {
		names = append(names, k.Name)
	}
	return names, nil
}

// RecentListings returns a small preview for the dashboard header.
func (s *Service) RecentListings(ctx context.Context, promoterID string) ([]kv.Key, error) {
	page, err := s.Pages.API.KV.Namespaces.Keys.List(ctx, s.Pages.NamespaceID, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.Pages.AccountID),
		Prefix:    cloudflare.F("listing:" + promoterID + ":"),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	})
	if err != nil {
		return nil, err
	}
	return page.Result, nil
}

// Publish writes a listing with its terms in metadata.
func (s *Service) Publish(ctx context.Context, promoterID, eventID string, body []byte) error {
	return s.Pages.PutUntil(ctx, "listing:"+promoterID+":"+eventID, body, time.Now().AddDate(1, 0, 0),
		map[string]string{"terms": eventTerms, "event": eventID}) // EXPECT kvlimits
}

// PublishWidgetConfig keeps the legacy embed working.
func (s *Service) PublishWidgetConfig(ctx context.Context, cfg []byte) error {
	return s.Pages.Put(ctx, legacyWidgetKey, cfg, 0) // EXPECT kvlimits
}

// ClaimSlug gives a promoter a vanity page at /p/<slug>.
func (s *Service) ClaimSlug(ctx context.Context, promoterID, slug string) error {
	key := "slug:" + slug
	if owner, err := s.Pages.Get(ctx, key); err == nil {
		if string(owner) == promoterID {
			return nil
		}
		return ErrSlugTaken
	} else if !errors.Is(err, edgekv.ErrNotFound) {
		return err
	}
	return s.Pages.Put(ctx, key, []byte(promoterID), 0) // EXPECT kvrace
}

// PageConfig returns the promoter page theme, falling back to the default.
func (s *Service) PageConfig(ctx context.Context, promoterID string) (map[string]string, error) {
	cfg := map[string]string{"theme": "light", "accent": "#0b6"}
	raw, err := s.Pages.Get(ctx, "pagecfg:"+promoterID)
	if err != nil && !errors.Is(err, edgekv.ErrNotFound) {
		return nil, err
	}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &cfg); err != nil {
			return nil, err
		}
	}
	return cfg, nil
}

// ThemeOverride returns a promoter's custom CSS, or the house style.
func (s *Service) ThemeOverride(ctx context.Context, promoterID string) (string, error) {
	raw, err := s.Pages.Get(ctx, "theme:"+promoterID)
	if err != nil {
		return "", err
	}
	if len(raw) > 0 { // EXPECT kvnull
		return string(raw), nil
	}
	return "/static/house.css", nil
}

// CountView is called on every dashboard render.
func (s *Service) CountView(eventID string) {
	telemetry.DashboardViews.WithLabelValues(eventID).Inc()
	s.mu.Lock()
	s.views[eventID]++
	s.mu.Unlock()
}

// FlushViews copies the per-process view totals to KV so the edge can show
// "N people looked at this today". It runs once a minute.
func (s *Service) FlushViews(ctx context.Context) error {
	s.mu.Lock()
	snapshot := make(map[string]int, len(s.views))
	for k, v := range s.views {
		snapshot[k] = v
	}
	s.mu.Unlock()
	day := time.Now().UTC().Format("20060102")
	for eventID, n := range snapshot {
		key := fmt.Sprintf("views:%s:%s", eventID, day)
		if err := s.Cache.Put(ctx, key, []byte(strconv.Itoa(n)), 48*time.Hour); err != nil { // EXPECT kvcounter
			return err
		}
	}
	return nil
}

// ServeLeaderboard is the public "top sellers this week" widget.
func (s *Service) ServeLeaderboard(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	rows, err := s.DB.Query(ctx, `select e.title, count(t.id) from events e join tickets t on t.event_id = e.id
		where t.sold_at > now() - interval '7 days' group by e.title order by 2 desc limit 10`)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	type entry struct {
		Title string `json:"title"`
		Sold  int    `json:"sold"`
	}
	board, err := pgx.CollectRows(rows, pgx.RowToStructByPos[entry])
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	buf, _ := json.Marshal(board)
	if err := s.Cache.Put(ctx, "dash:leaderboard", buf, time.Hour); err != nil { // EXPECT kvhotkey
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	n := s.hits.Add(1)
	_ = s.Cache.Put(ctx, "hits:leaderboard", []byte(strconv.FormatInt(n, 10)), 0) // EXPECT kvcounter|kvhotkey
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(buf)
}

// ServeSummary is the promoter's JSON summary endpoint.
func (s *Service) ServeSummary(w http.ResponseWriter, r *http.Request) {
	sum, err := s.Summary(r.Context(), r.PathValue("promoter"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	_ = json.NewEncoder(w).Encode(sum)
}
