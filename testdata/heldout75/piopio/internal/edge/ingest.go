//go:build js && wasm

package edge

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare"

	"github.com/piopio/greenhouse/internal/stream"
	"github.com/piopio/greenhouse/internal/telemetry"
)

const (
	uploadsPerMinute = 30
	recentTTL        = 30
	latestTTL        = 6 * 3600
)

// Ingest accepts reading batches from gateways.
type Ingest struct {
	Data  *Store
	Stats *Store
}

func (h *Ingest) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	dev := r.Header.Get("X-Gateway-ID")
	if dev == "" {
		http.Error(w, "missing gateway id", http.StatusUnauthorized)
		return
	}
	if ok, err := h.allow(r.Header.Get("CF-Connecting-IP")); err != nil || !ok {
		http.Error(w, "slow down", http.StatusTooManyRequests)
		return
	}
	if _, err := h.Stats.bump("stats:ingest:requests"); err != nil { // EXPECT kvhotkey
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	var batch []telemetry.Reading
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 256<<10)).Decode(&batch); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}

	rt := stream.NewRuntime(r.Context(), 32)
	valid := stream.Via(stream.FromSlice(rt, batch), stream.Filter(telemetry.Reading.Valid))
	seen := stream.Via(valid, stream.Map(func(_ context.Context, rd telemetry.Reading) (telemetry.Reading, error) {
		return rd, h.Data.PutString("device:lastseen:"+dev, rd.At.UTC().Format(time.RFC3339), nil) // EXPECT kvhotkey
	}))
	recent := stream.Via(seen, stream.Map(func(_ context.Context, rd telemetry.Reading) (telemetry.Reading, error) {
		key := "recent:" + rd.SeriesKey() + ":" + strconv.FormatInt(rd.At.UnixNano(), 36)
		b, _ := json.Marshal(rd)
		return rd, h.Data.PutString(key, string(b), &cloudflare.KVNamespacePutOptions{
			ExpirationTTL: recentTTL, // EXPECT kvttl
		})
	}))
	bySeries := stream.Via(recent, stream.KeyBy(telemetry.Reading.SeriesKey))
	latest := stream.Via(bySeries, stream.Reduce(
		func() telemetry.Reading { return telemetry.Reading{} },
		func(acc, rd telemetry.Reading) telemetry.Reading {
			if rd.At.After(acc.At) {
				return rd
			}
			return acc
		}))
	stream.To(latest, func(_ context.Context, kv stream.Keyed[telemetry.Reading]) error {
		return h.Data.PutJSON("latest:"+kv.Key, kv.Value, latestTTL)
	})
	if err := rt.Wait(); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

func (h *Ingest) allow(ip string) (bool, error) {
	key := "ratelimit:ingest:" + ip
	v, err := h.Stats.GetString(key, nil)
	if err != nil {
		return false, err
	}
	if v == "" { // EXPECT kvnull
		v = "0"
	}
	n, _ := strconv.Atoi(v)
	if n >= uploadsPerMinute {
		return false, nil
	}
	return true, h.Stats.PutString(key, strconv.Itoa(n+1), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 60}) // EXPECT kvcounter|kvrace
}
