// Package telemetry ingests device readings, keeps each device's last
// reading at the edge and streams live values to the homeowner app.
package telemetry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/motmot-energy/motmot/internal/calendar"
	"github.com/motmot-energy/motmot/internal/keys"
	"github.com/motmot-energy/motmot/internal/kvv6"
)

const (
	readingLifetime = 6 * time.Hour
	bucketLifetime  = 48 * time.Hour
	pollWindow      = 25 * time.Second
)

// Reading is one sample from a meter or thermostat.
type Reading struct {
	DeviceID string    `json:"device"`
	HomeID   string    `json:"home"`
	At       time.Time `json:"at"`
	WattHour float64   `json:"wh"`
	TempC    float64   `json:"temp"`
	Flushed  bool      `json:"-"`
}

// Ingest stores readings.
type Ingest struct {
	KV *kvv6.Store

	mu      sync.Mutex
	pending []*Reading
	subs    map[string][]chan Reading
}

// Record stores the latest reading of one device.
func (in *Ingest) Record(ctx context.Context, r Reading) error {
	body, err := json.Marshal(r)
	if err != nil {
		return err
	}
	if err := in.KV.Put(ctx, keys.LastReading(r.DeviceID), body, kvv6.PutOpts{TTL: readingLifetime}); err != nil {
		return err
	}
	in.publish(r)
	return in.countHour(ctx, r)
}

// countHour increments the device's per-hour sample counter.
func (in *Ingest) countHour(ctx context.Context, r Reading) error {
	key := string(keys.ReadingBucket(nil, r.DeviceID, calendar.StartOfHour(r.At)))
	n := 0
	raw, err := in.KV.Get(ctx, key)
	if err != nil && !errors.Is(err, kvv6.ErrNotFound) {
		return err
	}
	if err == nil {
		if n, err = strconv.Atoi(string(raw)); err != nil {
			return err
		}
	}
	return in.KV.Put(ctx, key, strconv.AppendInt(nil, int64(n+1), 10), kvv6.PutOpts{TTL: bucketLifetime}) // EXPECT kvcounter|kvrace
}

// Queue buffers a reading for the next Flush.
func (in *Ingest) Queue(r Reading) {
	in.mu.Lock()
	in.pending = append(in.pending, &r)
	in.mu.Unlock()
}

// Flush writes the newest queued reading of each device in one bulk call.
func (in *Ingest) Flush(ctx context.Context) error {
	in.mu.Lock()
	batch := in.pending
	in.pending = nil
	in.mu.Unlock()

	latest := make(map[string]*Reading, len(batch))
	for _, r := range batch {
		if cur, ok := latest[r.DeviceID]; !ok || r.At.After(cur.At) {
			latest[r.DeviceID] = r
		}
	}
	pairs := make([]kvv6.Pair, 0, len(latest))
	for dev, r := range latest {
		body, _ := json.Marshal(r)
		pairs = append(pairs, kvv6.Pair{Key: keys.LastReading(dev), Value: body, TTL: readingLifetime})
		r.Flushed = true
	}
	if len(pairs) == 0 {
		return nil
	}
	return in.KV.BulkPut(ctx, pairs)
}

// DailyEnergy adds a reading's energy to the home's running total for the day.
func (in *Ingest) DailyEnergy(ctx context.Context, r Reading) error {
	day := r.At.UTC().Truncate(24 * time.Hour)
	key := fmt.Sprintf("energy:%[1]s:%[2]d", r.HomeID, day.Unix())
	total := 0.0
	if raw, err := in.KV.Get(ctx, key); err == nil {
		total, _ = strconv.ParseFloat(string(raw), 64)
	} else if !errors.Is(err, kvv6.ErrNotFound) {
		return err
	}
	total += r.WattHour
	return in.KV.Put(ctx, key, []byte(strconv.FormatFloat(total, 'f', 1, 64)), kvv6.PutOpts{ // EXPECT kvrace
		TTL: time.Until(calendar.EndOfDay(r.At).AddDate(0, 0, 35)), // DEBATABLE kvttl
	})
}

func (in *Ingest) publish(r Reading) {
	in.mu.Lock()
	defer in.mu.Unlock()
	for _, ch := range in.subs[r.HomeID] {
		select {
		case ch <- r:
		default:
		}
	}
}

func (in *Ingest) subscribe(homeID string) (<-chan Reading, func()) {
	ch := make(chan Reading, 16)
	in.mu.Lock()
	if in.subs == nil {
		in.subs = make(map[string][]chan Reading)
	}
	in.subs[homeID] = append(in.subs[homeID], ch)
	in.mu.Unlock()
	return ch, func() {
		in.mu.Lock()
		defer in.mu.Unlock()
		list := in.subs[homeID]
		for i, c := range list {
			if c == ch {
				in.subs[homeID] = append(list[:i], list[i+1:]...)
				break
			}
		}
	}
}

// HandleIngest accepts one reading from a gateway.
func (in *Ingest) HandleIngest(w http.ResponseWriter, r *http.Request) {
	var rd Reading
	if err := json.NewDecoder(r.Body).Decode(&rd); err != nil {
		http.Error(w, "bad reading", http.StatusBadRequest)
		return
	}
	if err := in.Record(r.Context(), rd); err != nil {
		slog.Error("record reading", "device", rd.DeviceID, "err", err)
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	stamp := strconv.AppendInt(nil, time.Now().Unix(), 10)
	_ = in.KV.Put(r.Context(), "ingest:last-seen", stamp, kvv6.PutOpts{}) // EXPECT kvhotkey
	w.WriteHeader(http.StatusAccepted)
}

// HandleLive streams a home's readings as server-sent events.
func (in *Ingest) HandleLive(w http.ResponseWriter, r *http.Request) {
	homeID := r.PathValue("home")
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	ch, unsubscribe := in.subscribe(homeID)
	defer unsubscribe()

	ctx := r.Context()
	for {
		select {
		case <-ctx.Done():
			return
		case rd := <-ch:
			body, _ := json.Marshal(rd)
			fmt.Fprintf(w, "id: %d\nevent: reading\ndata: %s\n\n", rd.At.UnixMilli(), body)
			fl.Flush()
			mark := strconv.AppendInt(nil, rd.At.UnixMilli(), 10)
			if err := in.KV.Put(ctx, "live:cursor:"+homeID, mark, kvv6.PutOpts{TTL: time.Hour}); err != nil { // EXPECT kvhotkey
				slog.Warn("live cursor", "home", homeID, "err", err)
			}
		}
	}
}

// HandleLastReading long-polls until the device's last reading changes.
func (in *Ingest) HandleLastReading(w http.ResponseWriter, r *http.Request) {
	deviceID := r.PathValue("device")
	since := r.URL.Query().Get("since")
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Now().Add(pollWindow + 5*time.Second))

	ctx, cancel := context.WithTimeout(r.Context(), pollWindow)
	defer cancel()
	backoff := time.Second
	for {
		raw, err := in.KV.Get(ctx, keys.LastReading(deviceID))
		switch {
		case errors.Is(err, kvv6.ErrNotFound):
		case err != nil:
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		default:
			var rd Reading
			if json.Unmarshal(raw, &rd) == nil && strconv.FormatInt(rd.At.Unix(), 10) != since {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write(raw)
				_ = rc.Flush()
				return
			}
		}
		select {
		case <-ctx.Done():
			w.WriteHeader(http.StatusNoContent)
			return
		case <-time.After(backoff + rand.N(backoff/2)):
			backoff = min(2*backoff, 8*time.Second)
		}
	}
}
