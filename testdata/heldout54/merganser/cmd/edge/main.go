//go:build js && wasm

// Command edge is the Merganser Worker: member portal, checkout, door
// keypads and the public availability board.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"

	"merganser/internal/access"
	"merganser/internal/board"
	"merganser/internal/edgeapi"
	"merganser/internal/edgekv"
	"merganser/internal/kvio"
)

func mustOpen(binding string) *edgekv.Namespace {
	ns, err := edgekv.Open(binding)
	if err != nil {
		panic(err)
	}
	return ns
}

// stamp writes v as JSON under key without expiry.
func stamp(ctx context.Context, p kvio.Putter, key string, v any) error {
	return kvio.PutJSON(ctx, p, key, v, 0)
}

func scheduled(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	public := mustOpen("PUBLIC")
	b := board.New(public, cloudflare.Getenv("ORIGIN_URL"))

	sites, cursor := []string{}, ""
	for i := 0; i < 10; i++ {
		page, next, err := b.SitesPage(cursor)
		if err != nil {
			return err
		}
		sites = append(sites, page...)
		if next == "" {
			break
		}
		cursor = next
	}

	var rep board.RefreshReport
	if err := b.Refresh(ctx, public, sites, &rep); err != nil {
		return fmt.Errorf("refresh: %w", err)
	}
	for _, site := range sites {
		if err := stamp(ctx, public, "board:last-refresh", map[string]any{"site": site, "at": ev.ScheduledTime}); err != nil { // EXPECT kvhotkey
			log.Printf("cron: stamp %s: %v", site, err)
		}
		if err := stamp(ctx, public, "board:refreshed:"+site, ev.ScheduledTime); err != nil {
			log.Printf("cron: stamp %s: %v", site, err)
		}
		if _, _, err := board.Prune(public.Raw(), site, "", ev.ScheduledTime); err != nil {
			log.Printf("cron: prune %s: %v", site, err)
		}
	}
	summary, _ := json.Marshal(rep)
	return public.Put(ctx, "board:refresh-report", string(summary), 0)
}

func doorHandler(bookings *edgekv.Namespace) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		door := r.URL.Query().Get("door")
		switch r.URL.Path {
		case "/door/unlock":
			member, err := access.Unlock(r.Context(), bookings.Raw(), door, r.FormValue("pin"))
			if err != nil {
				w.WriteHeader(http.StatusForbidden)
				return
			}
			fmt.Fprintln(w, member)
		case "/door/pulse":
			if err := access.PulseUnlock(bookings.Raw(), door, r.Header.Get("X-Staff")); err != nil {
				w.WriteHeader(http.StatusInternalServerError)
				return
			}
			w.WriteHeader(http.StatusAccepted)
		case "/door/poll":
			staff, ok, err := access.PendingPulse(bookings.Raw(), door)
			if err != nil || !ok {
				w.WriteHeader(http.StatusNoContent)
				return
			}
			fmt.Fprintln(w, staff)
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}
}

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 25*time.Second)
	defer cancel()
	srv := edgeapi.New(ctx, mustOpen("SESSIONS"), mustOpen("BOOKINGS"), mustOpen("PUBLIC"), cloudflare.Getenv("ORIGIN_URL"))

	mux := http.NewServeMux()
	mux.Handle("/", srv.Routes())
	mux.Handle("/door/", doorHandler(srv.Bookings))

	cron.ScheduleTaskNonBlock(scheduled)
	workers.ServeNonBlock(mux)
	workers.Ready()
	select {
	case <-workers.Done():
	case <-cron.Done():
	}
}
