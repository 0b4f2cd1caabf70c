package httpapi

import (
	"context"
	"net/http"
	"strings"
	"time"

	"example.com/sundial/internal/codec"
	"example.com/sundial/internal/keys"
	"example.com/sundial/internal/storage"
	"example.com/sundial/internal/storage/decorate"
)

// defaultSearchQuery is the query behind the homepage's "what's on" listing.
const defaultSearchQuery = "status=published&sort=starts_at&window=P30D&per_page=48&locale=en-GB&currency=GBP" +
	"&include=venue,lineup,prices,accessibility,age_rating,door_times,support_acts" +
	"&fields=id,title,venue.slug,venue.name,venue.city,starts_at,ends_at,doors_at,price_min,price_max," +
	"currency,tags,hero_image,hero_alt,sold_out,low_availability,waitlist" +
	"&tags=live-music,comedy,theatre,dance,family,festival,club-night,spoken-word,classical,jazz,folk," +
	"opera,cabaret,film,exhibition,workshop,talk,sport" +
	"&cities=london,manchester,bristol,glasgow,edinburgh,leeds,liverpool,birmingham,cardiff,belfast," +
	"newcastle,brighton,nottingham,sheffield,york,oxford,cambridge,bath"

const defaultSearchKey = "search:v1:" + defaultSearchQuery

// SearchHit is one search result.
type SearchHit struct {
	ID       string    `json:"id"`
	Title    string    `json:"title"`
	Venue    string    `json:"venue"`
	StartsAt time.Time `json:"starts_at"`
}

// Searcher runs a search against the index.
type Searcher func(ctx context.Context, query string) ([]SearchHit, error)

// NewSearchCache returns the cache in front of the search index.
func NewSearchCache(st storage.Store, search Searcher) *decorate.ReadThrough[[]SearchHit] {
	return &decorate.ReadThrough[[]SearchHit]{
		Store: st,
		Codec: codec.JSON[[]SearchHit]{},
		TTL:   5 * time.Minute,
		Load: func(ctx context.Context, key string) ([]SearchHit, error) {
			return search(ctx, strings.TrimPrefix(key, "search:v1:"))
		},
	}
}

func (a *API) search(w http.ResponseWriter, r *http.Request) {
	if a.Search == nil {
		writeJSON(w, http.StatusServiceUnavailable, problem{Error: "search is not configured"})
		return
	}
	var (
		hits []SearchHit
		err  error
	)
	if q := r.URL.RawQuery; q == "" {
		hits, err = a.Search.Get(r.Context(), defaultSearchKey) // EXPECT kvlimits
	} else {
		key := "search:v1:" + q
		if len(key) > keys.MaxLen {
			writeJSON(w, http.StatusRequestURITooLong, problem{Error: "query too long"})
			return
		}
		hits, err = a.Search.Get(r.Context(), key)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, hits)
}

func (a *API) eventPage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	page, err := a.Catalog.Page(r.Context(), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if _, err := a.Counter.Add(r.Context(), "daily-views:"+id, 1); err != nil {
		a.Log.WarnContext(r.Context(), "daily view not counted", "event", id, "error", err)
	}
	if a.Views != nil {
		if err := a.Views.Record(id); err != nil {
			a.Log.WarnContext(r.Context(), "view not recorded", "event", id, "error", err)
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write([]byte(page.HTML))
}

func (a *API) exportEvents(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.Header().Set("Content-Disposition", `attachment; filename="events.ndjson"`)
	if err := a.Catalog.Export(r.Context(), w, 500); err != nil {
		a.Log.ErrorContext(r.Context(), "export", "error", err)
	}
}

func (a *API) usage(w http.ResponseWriter, r *http.Request) {
	u, err := a.Quota.Usage(r.Context(), sessionFrom(r.Context()).Tenant)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, u)
}
