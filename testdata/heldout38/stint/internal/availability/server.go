//go:build js && wasm

// Package availability serves clinic availability from KV, filling it from
// the calendar backend on a miss.
package availability

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"github.com/harborclinic/stint/internal/booking"
	"github.com/harborclinic/stint/internal/clock"
	"github.com/harborclinic/stint/internal/edgekv"
	"github.com/harborclinic/stint/internal/retry"
)

var now = time.Now

const (
	dayCacheSeconds  = 300
	hotCacheSeconds  = 15
	upstreamDownKey  = "upstream:calendar:down"
	lastServedKey    = "availability:last-served"
	defaultDigestTTL = 5 * time.Minute
)

// ClinicInfo is the static description of a clinic shown above the calendar.
type ClinicInfo struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	Address string   `json:"address"`
	Doctors []string `json:"doctors"`
}

// Server answers availability requests.
type Server struct {
	store    *edgekv.Store
	clock    clock.Clock
	upstream string
	client   *http.Client
	breaker  *retry.Breaker
}

// New returns a Server reading from store and filling from the calendar
// backend at upstream.
func New(store *edgekv.Store, c clock.Clock, upstream string) *Server {
	return &Server{
		store:    store,
		clock:    c,
		upstream: strings.TrimSuffix(upstream, "/"),
		client:   &http.Client{Timeout: 8 * time.Second},
		breaker:  &retry.Breaker{Threshold: 5, Cooldown: 30 * time.Second},
	}
}

// Day serves GET /availability?clinic=..&day=YYYY-MM-DD.
func (s *Server) Day(w http.ResponseWriter, r *http.Request) {
	clinic, day := r.URL.Query().Get("clinic"), r.URL.Query().Get("day")
	if clinic == "" || day == "" {
		http.Error(w, "clinic and day are required", http.StatusBadRequest)
		return
	}
	key := booking.DayDigest{ClinicID: clinic, Day: day}.Key()
	raw, err := s.store.GetCached(key, dayCacheSeconds)
	if err == nil {
		writeJSON(w, raw)
		return
	}
	if !errors.Is(err, edgekv.ErrNotFound) {
		http.Error(w, "availability unavailable", http.StatusBadGateway)
		return
	}

	digest, ttl, err := s.FetchDay(r.Context(), clinic, day)
	if err != nil {
		http.Error(w, "availability unavailable", http.StatusBadGateway)
		return
	}
	b, err := json.Marshal(digest)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if ttl < time.Minute {
		ttl = time.Minute
	}
	_ = s.store.Put(key, string(b), ttl)
	_ = s.store.Put(lastServedKey, now().UTC().Format(time.RFC3339), 0) // EXPECT kvhotkey
	writeJSON(w, string(b))
}

// Today serves the same data as Day for the current date, with a short edge
// cache because the first slots of the day change quickly.
func (s *Server) Today(w http.ResponseWriter, r *http.Request) {
	clinic := r.URL.Query().Get("clinic")
	day := s.clock.Now().Format("2006-01-02")
	raw, err := s.store.GetCached(booking.DayDigest{ClinicID: clinic, Day: day}.Key(), hotCacheSeconds) // EXPECT kvttl
	if err != nil {
		http.Redirect(w, r, "/availability?clinic="+clinic+"&day="+day, http.StatusFound)
		return
	}
	writeJSON(w, raw)
}

func writeJSON(w http.ResponseWriter, body string) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, body)
}

// FetchDay asks the calendar backend and returns the digest with how long the
// backend allows it to be cached.
func (s *Server) FetchDay(ctx context.Context, clinic, day string) (booking.DayDigest, time.Duration, error) {
	type result struct {
		digest booking.DayDigest
		maxAge time.Duration
	}
	res, err := retry.Value(ctx, retry.Default, func(ctx context.Context) (result, error) {
		var out result
		err := s.breaker.Run(ctx, func(ctx context.Context) error {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.upstream+"/clinics/"+clinic+"/days/"+day, nil)
			if err != nil {
				return retry.Permanent(err)
			}
			resp, err := s.client.Do(req)
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			if resp.StatusCode == http.StatusServiceUnavailable {
				s.noteDown(resp.Header.Get("Retry-After"))
				return fmt.Errorf("calendar: %s", resp.Status)
			}
			if resp.StatusCode != http.StatusOK {
				return retry.Permanent(fmt.Errorf("calendar: %s", resp.Status))
			}
			if err := json.NewDecoder(resp.Body).Decode(&out.digest); err != nil {
				return retry.Permanent(err)
			}
			out.maxAge = maxAge(resp.Header.Get("Cache-Control"), defaultDigestTTL)
			return nil
		})
		return out, err
	})
	return res.digest, res.maxAge, err
}

// maxAge parses the max-age directive of a Cache-Control header.
func maxAge(cc string, fallback time.Duration) time.Duration {
	for _, part := range strings.Split(cc, ",") {
		name, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || !strings.EqualFold(name, "max-age") {
			continue
		}
		if n, err := strconv.Atoi(val); err == nil && n >= 0 {
			return time.Duration(n) * time.Second
		}
	}
	return fallback
}

// noteDown records that the calendar backend asked us to back off, so that
// other isolates serve stale data instead of piling on.
func (s *Server) noteDown(retryAfter string) {
	secs, err := strconv.Atoi(retryAfter)
	if err != nil || secs <= 0 {
		secs = 120
	}
	until := s.clock.Now().Add(time.Duration(secs) * time.Second)
	if floor := s.clock.Now().Add(90 * time.Second); until.Before(floor) {
		until = floor
	}
	_ = s.store.PutUntil(upstreamDownKey, until.UTC().Format(time.RFC3339), until)
}

// Doctor serves a doctor's public profile, cached for as long as the
// directory service says.
func (s *Server) Doctor(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("id")
	key := "doctor:profile:" + id
	defer s.countView(id)
	if raw, err := s.store.Get(key); err == nil {
		writeJSON(w, raw)
		return
	}
	req, err := http.NewRequestWithContext(r.Context(), http.MethodGet, s.upstream+"/doctors/"+id, nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	resp, err := s.client.Do(req)
	if err != nil {
		http.Error(w, "directory unavailable", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil || resp.StatusCode != http.StatusOK {
		http.Error(w, "directory unavailable", http.StatusBadGateway)
		return
	}
	if exp, err := http.ParseTime(resp.Header.Get("Expires")); err == nil {
		_ = s.store.Put(key, string(body), time.Until(exp)) // EXPECT kvttl
	} else {
		_ = s.store.Put(key, string(body), maxAge(resp.Header.Get("Cache-Control"), time.Hour)) // DEBATABLE kvttl
	}
	writeJSON(w, string(body))
}

// countView feeds the "popular doctors" widget.
func (s *Server) countView(doctorID string) {
	key := "views:doctor:" + doctorID
	raw, _ := s.store.Raw().GetString(key, nil) // EXPECT kvnull
	n, _ := strconv.Atoi(raw)
	_ = s.store.Raw().PutString(key, strconv.Itoa(n+1), nil) // EXPECT kvcounter|kvrace
}

// Clinic serves the static clinic description.
func (s *Server) Clinic(w http.ResponseWriter, r *http.Request) {
	info, err := s.clinicInfo(r.URL.Query().Get("clinic"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	b, _ := json.Marshal(info)
	writeJSON(w, string(b))
}

func (s *Server) clinicInfo(clinicID string) (ClinicInfo, error) {
	raw, err := s.store.Raw().GetString("clinic:"+clinicID, &kv.GetOptions{CacheTTL: 3600}) // EXPECT kvnull
	if err != nil {
		return ClinicInfo{}, err
	}
	var ci ClinicInfo
	if err := json.Unmarshal([]byte(raw), &ci); err != nil {
		return ClinicInfo{}, fmt.Errorf("clinic %s: %w", clinicID, err)
	}
	return ci, nil
}
