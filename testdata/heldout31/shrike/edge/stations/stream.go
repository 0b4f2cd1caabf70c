//go:build js && wasm

package stations

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare"

	"example.com/shrike/internal/httpx"
)

// events streams a station's status to a kiosk display as server-sent events
// and keeps the kiosk marked online while the stream is open.
func (s *Service) events(w http.ResponseWriter, r *http.Request) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	station := r.PathValue("id")
	kiosk := r.URL.Query().Get("kiosk")
	if kiosk == "" {
		http.Error(w, "kiosk required", http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	ctx := r.Context()

	beats := make(chan error, 1)
	go func() {
		defer close(beats)
		t := time.NewTicker(s.heartbeat)
		defer t.Stop()
		presence := "presence:kiosk:" + kiosk
		for {
			if err := s.ns.Put(presence, station, s.presenceTTL); err != nil { // DEBATABLE kvhotkey
				beats <- err
				return
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()

	var last int64
	poll := time.NewTicker(5 * time.Second)
	defer poll.Stop()
	for {
		st, err := s.status.Get(ctx, station)
		if err == nil && st.Reported.Unix() != last {
			last = st.Reported.Unix()
			b, _ := json.Marshal(st)
			fmt.Fprintf(w, "event: status\ndata: %s\n\n", b)
			flusher.Flush()
		}
		select {
		case <-ctx.Done():
			return
		case err := <-beats:
			if err != nil {
				s.log.Warn("kiosk heartbeat", "kiosk", kiosk, "err", err)
			}
			return
		case <-poll.C:
		}
	}
}

// wait is a long poll: it returns as soon as the station's status changes
// after the client's "since", or after 25 seconds.
func (s *Service) wait(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	station := r.PathValue("id")
	since, _ := strconv.ParseInt(r.URL.Query().Get("since"), 10, 64)
	client := r.URL.Query().Get("client")
	if client == "" {
		client = httpx.NewID(6)
	}
	watchKey := "watch:" + station + ":" + client
	deadline := time.After(25 * time.Second)
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for {
		// Tell the dispatch board someone is watching this station.
		_ = s.ns.Binding().PutString(watchKey, strconv.FormatInt(s.now().Unix(), 10), // EXPECT kvhotkey
			&cloudflare.KVNamespacePutOptions{ExpirationTTL: 120})
		st, err := s.status.Get(ctx, station)
		if err == nil && st.Reported.Unix() > since {
			httpx.JSON(w, http.StatusOK, st)
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-deadline:
			w.WriteHeader(http.StatusNoContent)
			return
		case <-tick.C:
		}
	}
}
