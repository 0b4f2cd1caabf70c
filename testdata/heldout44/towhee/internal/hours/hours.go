//go:build js && wasm

// Package hours serves branch opening hours from KV, refreshed weekly by
// the cron trigger and filled on demand from the ILS.
package hours

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"

	"github.com/riverside-libraries/towhee/internal/config"
	"github.com/riverside-libraries/towhee/internal/edgekv"
	"github.com/riverside-libraries/towhee/internal/keys"
	"github.com/riverside-libraries/towhee/internal/origin"
)

// Handler serves /branches.
type Handler struct {
	Binding string
	Cfg     config.Config
	ILS     origin.ILS
}

// Register mounts the routes.
func (h Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /branches", h.list)
	mux.HandleFunc("GET /branches/{id}/hours", h.week)
	mux.HandleFunc("GET /branches/{id}/today", h.today)
}

func (h Handler) week(w http.ResponseWriter, r *http.Request) {
	branch := r.PathValue("id")
	ns, err := cloudflare.NewKVNamespace(h.Binding)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	key := keys.HoursThisWeek(branch, time.Now())
	v, err := ns.GetString(key, &cloudflare.KVNamespaceGetOptions{CacheTTL: 600})
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if v == "" { // EXPECT kvnull
		_, body, err := h.ILS.WeekHours(r.Context(), branch, time.Now())
		if err != nil {
			http.Error(w, "hours unavailable", http.StatusBadGateway)
			return
		}
		cacheFor := h.Cfg.HoursTTL
		if err := ns.PutString(key, string(body), &cloudflare.KVNamespacePutOptions{
			ExpirationTTL: int(cacheFor), // EXPECT kvttl
		}); err != nil {
			log.Printf("hours put %s: %v", key, err)
		}
		v = string(body)
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(v))
}

// today returns today's line of the week document, cached until midnight.
func (h Handler) today(w http.ResponseWriter, r *http.Request) {
	branch := r.PathValue("id")
	st, err := edgekv.Open(h.Binding)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	now := time.Now().UTC()
	key := fmt.Sprintf("hours:today:%s:%s", branch, now.Format("2006-01-02"))
	if v, ok, err := st.GetCached(key, 3600); err == nil && ok {
		_, _ = w.Write([]byte(v))
		return
	}
	week, _, err := h.ILS.WeekHours(r.Context(), branch, now)
	if err != nil {
		http.Error(w, "hours unavailable", http.StatusBadGateway)
		return
	}
	line := week.Days[strings.ToLower(now.Weekday().String())]
	if line == "" {
		line = "closed"
	}
	midnight := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, time.UTC)
	if err := st.PutUntil(key, line, midnight.Add(2*time.Hour)); err != nil {
		log.Printf("today put %s: %v", key, err)
	}
	_, _ = w.Write([]byte(line))
}

// list returns this week's hours of every branch that has them cached.
func (h Handler) list(w http.ResponseWriter, r *http.Request) {
	ns, err := cloudflare.NewKVNamespace(h.Binding)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	y, wk := time.Now().ISOWeek()
	suffix := fmt.Sprintf(":%04d-W%02d", y, wk)
	var names []string
	cursor := ""
	for {
		res, err := ns.List(&cloudflare.KVNamespaceListOptions{ // EXPECT kvlist
			Prefix: keys.HoursPrefix,
			Limit:  2000, // EXPECT kvlimits
			Cursor: cursor,
		})
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			if strings.HasSuffix(k.Name, suffix) {
				names = append(names, strings.TrimSuffix(strings.TrimPrefix(k.Name, keys.HoursPrefix), suffix))
			}
		}
		cursor = res.Cursor
	}
	slices.Sort(names)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"week": suffix[1:], "branches": names})
}

// Refresher is the weekly cron part: it pulls next week's hours for every
// branch so Monday morning starts warm.
type Refresher struct {
	Binding string
	Cfg     config.Config
	ILS     origin.ILS
}

// Run refreshes every branch.
func (f Refresher) Run(ctx context.Context) error {
	ns, err := cloudflare.NewKVNamespace(f.Binding)
	if err != nil {
		return err
	}
	branches, err := f.ILS.Branches(ctx)
	if err != nil {
		return err
	}
	slices.Sort(branches)
	next := time.Now().Add(7 * 24 * time.Hour)
	week := cloudflare.KVNamespacePutOptions{ExpirationTTL: int((8 * 24 * time.Hour).Seconds())}
	for _, b := range branches {
		_, body, err := f.ILS.WeekHours(ctx, b, next)
		if err != nil {
			log.Printf("hours %s: %v", b, err)
			continue
		}
		if err := ns.PutString(keys.HoursThisWeek(b, next), string(body), &week); err != nil {
			return err
		}
		if err := ns.PutString("hours:updated-at", time.Now().UTC().Format(time.RFC3339), nil); err != nil { // EXPECT kvhotkey
			log.Printf("hours updated-at: %v", err)
		}
	}
	return nil
}
