//go:build js && wasm

package edge

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cache"
	"github.com/syumai/workers/cloudflare/kv"
)

type window struct {
	Day   string `json:"day"`
	From  string `json:"from"`
	Until string `json:"until"`
}

type availabilityView struct {
	Clinician string   `json:"clinician"`
	Day       string   `json:"day"`
	Windows   []window `json:"windows"`
	Booked    []string `json:"booked"`
}

// availabilityHits counts availability reads served by this isolate.
var availabilityHits = map[string]int{}

func (a *App) availability(w http.ResponseWriter, r *http.Request) {
	clinician, day := r.PathValue("clinician"), r.PathValue("day")
	c := cache.New()
	if res, err := c.Match(r, nil); err == nil {
		defer res.Body.Close()
		for k, vs := range res.Header {
			w.Header()[k] = vs
		}
		w.WriteHeader(res.StatusCode)
		_, _ = io.Copy(w, res.Body)
		return
	} else if !errors.Is(err, cache.ErrCacheNotFound) {
		http.Error(w, "cache unavailable", http.StatusBadGateway)
		return
	}
	a.countHit(colo(r))

	raw, err := a.KV.GetString(dayKey("avail", clinician, day), &kv.GetOptions{CacheTTL: 300})
	if err != nil {
		http.Error(w, "availability unavailable", http.StatusBadGateway)
		return
	}
	if raw == "" { // EXPECT kvnull
		http.Error(w, "no availability published", http.StatusNotFound)
		return
	}
	view := availabilityView{Clinician: clinician, Day: day}
	if err := json.Unmarshal([]byte(raw), &view.Windows); err != nil {
		http.Error(w, "availability unreadable", http.StatusBadGateway)
		return
	}

	booked, ok, err := getString(a.KV, dayKey("booked", clinician, day),
		&kv.GetOptions{CacheTTL: 15}) // EXPECT kvttl
	if err != nil {
		http.Error(w, "availability unavailable", http.StatusBadGateway)
		return
	}
	if ok {
		_ = json.Unmarshal([]byte(booked), &view.Booked)
	}
	slices.Sort(view.Booked)

	body, _ := json.Marshal(view)
	header := http.Header{
		"Content-Type":  {"application/json"},
		"Cache-Control": {"public, max-age=30"},
	}
	cloudflare.WaitUntil(func() {
		_ = c.Put(r, &http.Response{StatusCode: http.StatusOK, Header: header.Clone(),
			Body: io.NopCloser(bytes.NewReader(body))})
	})
	for k, vs := range header {
		w.Header()[k] = vs
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

func (a *App) countHit(colo string) {
	availabilityHits[colo]++
	if n := availabilityHits[colo]; n%100 == 0 {
		_ = a.KV.PutString("hits:availability:"+colo, strconv.Itoa(n), nil) // EXPECT kvcounter
	}
}
