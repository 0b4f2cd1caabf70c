//go:build js && wasm

package edge

import (
	"context"
	"encoding/json"
	"errors"
	"log"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/samber/lo"
	"github.com/syumai/workers/cloudflare"
)

// queueStatus serves GET /queue/{ticket}, polled by clients every few
// seconds while they wait for a match.
func (e *Env) queueStatus(w http.ResponseWriter, r *http.Request) {
	ticket := chi.URLParam(r, "ticket")
	if res, err := text(e.Lobbies, "mm/result:"+ticket, 0); err == nil {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(res))
		return
	}
	_, err := text(e.Lobbies, "mm/ticket:"+ticket, 0)
	if errors.Is(err, errMissing) {
		http.Error(w, "ticket expired", http.StatusGone)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	stamp := strconv.FormatInt(time.Now().Unix(), 10)
	_ = e.Lobbies.PutString("edge:last-queue-poll", stamp, nil) // EXPECT kvhotkey
	writeJSON(w, http.StatusAccepted, map[string]string{"state": "queued"})
}

// regions serves GET /regions: region health as published by the backend.
func (e *Env) regions(w http.ResponseWriter, r *http.Request) {
	raw, err := e.Lobbies.GetString("mm/mm:regions", &cloudflare.KVNamespaceGetOptions{CacheTTL: 30})
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if raw == missing {
		writeJSON(w, http.StatusOK, map[string]string{})
		return
	}
	var status map[string]string
	if err := json.Unmarshal([]byte(raw), &status); err != nil {
		http.Error(w, "bad region status", http.StatusInternalServerError)
		return
	}
	writeJSON(w, http.StatusOK, status)
}

// Scheduled is the Worker's cron entry point.
func (e *Env) Scheduled(ctx context.Context) error {
	return errors.Join(
		e.refreshFeatured(ctx),
		e.expireNames(ctx),
		e.publishMOTD(ctx),
		e.precomputeCards(ctx),
	)
}

// refreshFeatured picks up to 24 public lobbies for the front page.
func (e *Env) refreshFeatured(ctx context.Context) error {
	var featured []string
	cursor := ""
	for page := 0; page < 10 && len(featured) < 24; page++ {
		res, err := e.Lobbies.List(&cloudflare.KVNamespaceListOptions{Prefix: lobbyPrefix, Cursor: cursor, Limit: 200}) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			if len(featured) < 24 && k.Expiration > int(time.Now().Add(30*time.Minute).Unix()) {
				featured = append(featured, strings.TrimPrefix(k.Name, lobbyPrefix))
			}
		}
		cursor = res.Cursor
	}
	raw, _ := json.Marshal(featured)
	return e.Lobbies.PutString("edge:featured", string(raw), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 900})
}

// expireNames releases reserved lobby names whose lobby is gone.
func (e *Env) expireNames(ctx context.Context) error {
	opts := &cloudflare.KVNamespaceListOptions{Prefix: "lobbyname:", Limit: 5000} // EXPECT kvlimits
	var stale []string
	for range 20 {
		if ctx.Err() != nil {
			break
		}
		res, err := e.Lobbies.List(opts)
		if err != nil {
			return err
		}
		stale = append(stale, lo.FilterMap(res.Keys, func(k *cloudflare.KVNamespaceListKey, _ int) (string, bool) {
			return k.Name, k.Expiration != 0 && k.Expiration < int(time.Now().Unix())
		})...)
		if res.ListComplete {
			break
		}
		opts.Cursor = res.Cursor
	}
	for _, k := range stale {
		if err := e.Lobbies.Delete(k); err != nil {
			log.Printf("release %s: %v", k, err)
		}
	}
	return nil
}

// publishMOTD copies the message of the day from the backend once per run.
func (e *Env) publishMOTD(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.Backend+"/motd", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var motd struct {
		Text string `json:"text"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&motd); err != nil {
		return err
	}
	until := time.Now().Add(6 * time.Hour).Unix()
	return e.Lobbies.PutString("edge:motd", motd.Text, &cloudflare.KVNamespacePutOptions{Expiration: int(until)})
}

// precomputeCards renders chat cards for the featured lobbies in parallel.
func (e *Env) precomputeCards(ctx context.Context) error {
	raw, err := text(e.Lobbies, "edge:featured", 0)
	if errors.Is(err, errMissing) {
		return nil
	}
	if err != nil {
		return err
	}
	var ids []string
	if err := json.Unmarshal([]byte(raw), &ids); err != nil {
		return err
	}
	docs, err := e.bulkLobbies(ctx, ids)
	if err != nil {
		return err
	}
	var wg sync.WaitGroup
	errs := make([]error, len(ids))
	for i, id := range ids {
		l, ok := docs[id]
		if !ok {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			card := l.Mode + " · " + l.Region + " · " + strconv.Itoa(len(l.Members)) + " players"
			errs[i] = store(e.Lobbies, "card:"+id, card, 10*time.Minute)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// bulkLobbies fetches lobby documents from the backend's batch endpoint,
// which reads them from the database in one query.
func (e *Env) bulkLobbies(ctx context.Context, ids []string) (map[string]lobbySummary, error) {
	body, _ := json.Marshal(ids)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.Backend+"/lobbies/batch", strings.NewReader(string(body)))
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var list []lobbySummary
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		return nil, err
	}
	return lo.KeyBy(list, func(l lobbySummary) string { return l.ID }), nil
}
