// Package rollup computes analytics roll-ups and ingests download events.
package rollup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"example.com/avocet/internal/auth"
	"example.com/avocet/internal/backend/cfstore"
	"example.com/avocet/internal/domain"
	"example.com/avocet/internal/httpx"
	"example.com/avocet/internal/keys"
	"example.com/avocet/internal/ops"
)

// Job runs the periodic roll-up and the ingest endpoint.
type Job struct {
	store *cfstore.Store
	wh    *Warehouse
	log   *slog.Logger
	every time.Duration
	keep  time.Duration
	now   func() time.Time
}

func NewJob(store *cfstore.Store, wh *Warehouse, log *slog.Logger, every, keep time.Duration) *Job {
	return &Job{store: store, wh: wh, log: log, every: every, keep: keep, now: time.Now}
}

func (j *Job) Run(ctx context.Context) {
	t := time.NewTicker(j.every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case at := <-t.C:
			if err := j.Tick(ctx, at); err != nil {
				j.log.ErrorContext(ctx, "roll-up failed", "err", err)
			}
		}
	}
}

// Tick projects the warehouse's numbers for the current day into the store.
func (j *Job) Tick(ctx context.Context, at time.Time) error {
	ns := j.store.Namespaces()
	if _, err := ns.Values.Update(ctx, j.store.NamespaceID(), "rollup:running", kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(j.store.Account()),
		Value:         cloudflare.F(at.UTC().Format(time.RFC3339)),
		ExpirationTTL: cloudflare.F(float64(30)), // EXPECT kvttl
	}); err != nil {
		return err
	}
	day := keys.Day(at)
	daily, err := j.wh.DailyTotals(ctx, day)
	if err != nil {
		return err
	}
	ids := make([]string, len(daily))
	for i, r := range daily {
		ids[i] = r.EpisodeID
	}
	allTime, err := j.wh.AllTime(ctx, ids)
	if err != nil {
		return err
	}
	for i, r := range daily {
		b, _ := json.Marshal(r)
		total := strconv.FormatInt(allTime[r.EpisodeID], 10)
		err := errors.Join(
			j.store.Write(ctx, "rollup:"+r.EpisodeID+":"+day, b, j.keep),
			j.store.Write(ctx, "rollup:"+r.EpisodeID+":total", []byte(total), 0))
		if err != nil {
			return err
		}
		progress := fmt.Sprintf("%s %d/%d", day, i+1, len(daily))
		if err := j.store.Write(ctx, "rollup:progress", []byte(progress), time.Hour); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	counts, err := j.wh.EpisodeCounts(ctx)
	if err != nil {
		return err
	}
	for show, n := range counts {
		if err := j.store.Write(ctx, "episode-count:"+show, []byte(strconv.Itoa(n)), 0); err != nil {
			return err
		}
	}
	return j.store.Write(ctx, "rollup:last-run", []byte(at.UTC().Format(time.RFC3339)), 0)
}

// ServeIngest is POST /ingest/downloads, called by the edge.
func (j *Job) ServeIngest(w http.ResponseWriter, r *http.Request) {
	var events []domain.DownloadEvent
	if err := json.NewDecoder(io.LimitReader(r.Body, 8<<20)).Decode(&events); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if err := j.Ingest(r.Context(), events); err != nil {
		j.log.ErrorContext(r.Context(), "ingest", "err", err)
		http.Error(w, "retry later", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// Ingest stores the events in the warehouse and updates the creators'
// monthly usage and the episodes' sponsor impressions.
func (j *Job) Ingest(ctx context.Context, events []domain.DownloadEvent) error {
	if err := j.wh.Insert(ctx, events); err != nil {
		return err
	}
	perShow, perEpisode := map[string]int64{}, map[string]int64{}
	for _, e := range events {
		perShow[e.Show]++
		perEpisode[e.Episode]++
	}
	owners, err := j.wh.Owners(ctx, slices.Collect(maps.Keys(perShow)))
	if err != nil {
		return err
	}
	perCreator := map[string]int64{}
	for s, n := range perShow {
		perCreator[owners[s]] += n
	}
	var errs []error
	for creator, n := range perCreator {
		errs = append(errs, j.addUsage(ctx, creator, n))
	}
	for ep, n := range perEpisode {
		errs = append(errs, j.addImpressions(ctx, ep, n))
	}
	return errors.Join(errs...)
}

func (j *Job) addUsage(ctx context.Context, creator string, n int64) error {
	key := "usage:" + creator + ":" + keys.Month(j.now())
	var used int64
	b, err := j.store.Read(ctx, key) // EXPECT kvnull
	if err == nil {
		used, _ = strconv.ParseInt(string(b), 10, 64)
	}
	used += n
	return j.store.Write(ctx, key, []byte(strconv.FormatInt(used, 10)), 40*24*time.Hour) // EXPECT kvcounter
}

func (j *Job) addImpressions(ctx context.Context, episode string, n int64) error {
	ns := j.store.Namespaces()
	key := "impressions:" + episode
	var seen int64
	res, err := ns.Values.Get(ctx, j.store.NamespaceID(), key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(j.store.Account())})
	switch {
	case cfstore.IsNotFound(err):
	case err != nil:
		return err
	default:
		b, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			return err
		}
		if seen, err = strconv.ParseInt(string(b), 10, 64); err != nil {
			return fmt.Errorf("impressions %s: %w", episode, err)
		}
	}
	_, err = ns.Values.Update(ctx, j.store.NamespaceID(), key, kv.NamespaceValueUpdateParams{ // EXPECT kvcounter
		AccountID: cloudflare.F(j.store.Account()),
		Value:     cloudflare.F(strconv.FormatInt(seen+n, 10)),
	})
	return err
}

// Warehouse is the analytics warehouse's HTTP API, the system of record for
// downloads and shows; the key-value store only holds projections of it.
type Warehouse struct {
	base    string
	hc      *http.Client
	store   *cfstore.Store
	tokenEP string
	id      string
	secret  string

	mu    sync.Mutex
	token string
	until time.Time
}

func NewWarehouse(base, tokenEndpoint, clientID, secret string, store *cfstore.Store) *Warehouse {
	return &Warehouse{base: base, hc: &http.Client{Timeout: 30 * time.Second}, store: store,
		tokenEP: tokenEndpoint, id: clientID, secret: secret}
}

// bearer returns a warehouse access token. Tokens are shared with the
// other backend replicas through the key-value store.
func (w *Warehouse) bearer(ctx context.Context) (string, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.token != "" && time.Now().Before(w.until) {
		return w.token, nil
	}
	if res, err := w.store.Exec(ctx, ops.Get("wh-token")); err == nil && res.Found {
		w.token, w.until = string(res.Value), time.Now().Add(time.Minute)
		return w.token, nil
	}
	tr, err := auth.ClientCredentials(ctx, w.hc, w.tokenEP, w.id, w.secret, "warehouse")
	if err != nil {
		return "", err
	}
	w.token, w.until = tr.AccessToken, time.Now().Add(tr.Lifetime()/2)
	if err := w.store.Write(ctx, "wh-token", []byte(tr.AccessToken), tr.Lifetime()-30*time.Second); err != nil { // DEBATABLE kvttl
		return "", err
	}
	return w.token, nil
}

func (w *Warehouse) call(ctx context.Context, method, path string, in, out any) error {
	tok, err := w.bearer(ctx)
	if err != nil {
		return err
	}
	var body io.Reader
	if in != nil {
		body = httpx.JSON(in)
	}
	b, err := httpx.Do(ctx, w.hc, method, w.base+path, body, "Authorization", "Bearer "+tok, "Content-Type", "application/json")
	var se *httpx.StatusError
	if errors.As(err, &se) && se.Code == http.StatusNotFound {
		return domain.ErrNotFound
	}
	if err != nil || out == nil {
		return err
	}
	return json.Unmarshal(b, out)
}

func (w *Warehouse) DailyTotals(ctx context.Context, day string) ([]domain.DailyRollup, error) {
	var out []domain.DailyRollup
	return out, w.call(ctx, http.MethodGet, "/v1/downloads/daily?day="+url.QueryEscape(day), nil, &out)
}

// AllTime returns all-time totals per episode for the given episodes.
func (w *Warehouse) AllTime(ctx context.Context, episodes []string) (map[string]int64, error) {
	out := map[string]int64{}
	return out, w.call(ctx, http.MethodPost, "/v1/downloads/all-time", episodes, &out)
}

// EpisodeCounts returns the number of published episodes per show.
func (w *Warehouse) EpisodeCounts(ctx context.Context) (map[string]int, error) {
	out := map[string]int{}
	return out, w.call(ctx, http.MethodGet, "/v1/shows/episode-counts", nil, &out)
}

func (w *Warehouse) Insert(ctx context.Context, events []domain.DownloadEvent) error {
	return w.call(ctx, http.MethodPost, "/v1/downloads", events, nil)
}

func (w *Warehouse) Owners(ctx context.Context, shows []string) (map[string]string, error) {
	out := map[string]string{}
	return out, w.call(ctx, http.MethodPost, "/v1/shows/owners", shows, &out)
}

func (w *Warehouse) Show(ctx context.Context, id string) (map[string]any, error) {
	var out map[string]any
	return out, w.call(ctx, http.MethodGet, "/v1/shows/"+url.PathEscape(id), nil, &out)
}

func (w *Warehouse) SaveShow(ctx context.Context, id string, doc map[string]any) error {
	return w.call(ctx, http.MethodPut, "/v1/shows/"+url.PathEscape(id), doc, nil)
}
