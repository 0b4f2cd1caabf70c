// Package ingest is the server-side ingest API used by customers who send
// page views and events from their back ends instead of the edge beacon.
package ingest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/quetzal-analytics/quetzal/internal/kvstore"
	"github.com/quetzal-analytics/quetzal/internal/sites"
)

// Event is one page view or custom event.
type Event struct {
	Site     string            `json:"site"`
	Name     string            `json:"name"`
	URL      string            `json:"url"`
	Referrer string            `json:"referrer,omitempty"`
	Visitor  string            `json:"visitor"`
	Props    map[string]string `json:"props,omitempty"`
	At       time.Time         `json:"at"`
}

// Server handles POST /api/event.
type Server struct {
	st        *kvstore.Store
	sites     *sites.Service
	log       *slog.Logger
	retention time.Duration
	dedupe    time.Duration
	quota     int

	mu   sync.Mutex
	hits map[string]int
}

// NewServer returns an ingest Server.
func NewServer(st *kvstore.Store, svc *sites.Service, log *slog.Logger, retention, dedupe time.Duration, quota int) *Server {
	return &Server{st: st, sites: svc, log: log, retention: retention, dedupe: dedupe, quota: quota, hits: map[string]int{}}
}

type batch struct {
	Events []Event `json:"events"`
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	ctx := r.Context()
	secret := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	key, ok, err := s.sites.LookupAPIKey(ctx, secret)
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	if !ok {
		http.Error(w, "unknown key", http.StatusUnauthorized)
		return
	}
	var in batch
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&in); err != nil {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	if err := s.charge(ctx, key.Site, len(in.Events)); err != nil {
		http.Error(w, err.Error(), http.StatusTooManyRequests)
		return
	}
	stored := 0
	for _, ev := range in.Events {
		ev.Site = key.Site
		if ev.At.IsZero() {
			ev.At = time.Now().UTC()
		}
		dup, err := s.seen(ctx, ev)
		if err != nil {
			s.log.WarnContext(ctx, "dedupe lookup failed", "err", err)
		}
		if dup {
			continue
		}
		if err := s.store(ctx, ev); err != nil {
			http.Error(w, "store failed", http.StatusBadGateway)
			return
		}
		if err := s.st.PutPlain(ctx, "ingest:last-event", []byte(ev.At.Format(time.RFC3339Nano)), ""); err != nil { // EXPECT kvhotkey
			s.log.WarnContext(ctx, "last-event marker", "err", err)
		}
		s.count(ev)
		stored++
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"stored":%d}`, stored)
}

// charge books n events against the site's daily quota.
func (s *Server) charge(ctx context.Context, site string, n int) error {
	key := "quota:" + site + ":" + time.Now().UTC().Format("20060102")
	used := 0
	if b, err := s.st.Get(ctx, key); err == nil {
		used, _ = strconv.Atoi(string(b))
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	if used+n > s.quota {
		return fmt.Errorf("daily quota of %d events reached", s.quota)
	}
	return s.st.Put(ctx, key, []byte(strconv.Itoa(used+n)), 48*time.Hour) // EXPECT kvcounter|kvrace
}

// seen reports whether the visitor already sent this event within the
// dedupe window, and marks it as seen.
func (s *Server) seen(ctx context.Context, ev Event) (bool, error) {
	key := "dedupe:" + ev.Site + ":" + ev.Visitor + ":" + ev.Name + ":" + ev.URL
	if len(key) > 480 {
		key = key[:480]
	}
	if _, err := s.st.Get(ctx, key); err == nil {
		return true, nil
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return false, err
	}
	return false, s.st.Cache(ctx, key, []byte("1"), s.dedupe/2)
}

func (s *Server) store(ctx context.Context, ev Event) error {
	b, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	key := fmt.Sprintf("ev:%s:%s:%s", ev.Site, ev.At.Format("20060102T150405.000"), suffix())
	return s.st.Put(ctx, key, b, s.retention)
}

func (s *Server) count(ev Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hits[ev.Site+":"+ev.At.Format("20060102")]++
}

// Flush writes the per-site daily hit totals gathered since the last flush.
func (s *Server) Flush(ctx context.Context) error {
	s.mu.Lock()
	snapshot := s.hits
	s.hits = map[string]int{}
	s.mu.Unlock()
	var errs []error
	for k, n := range snapshot {
		if err := s.st.Put(ctx, "hits:"+k, []byte(strconv.Itoa(n)), 72*time.Hour); err != nil { // EXPECT kvcounter
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// OpenDay marks a site as having traffic today; the marker lapses at midnight UTC.
func (s *Server) OpenDay(ctx context.Context, site string) error {
	now := time.Now().UTC()
	midnight := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, time.UTC)
	return s.st.Put(ctx, "day-open:"+site+":"+now.Format("20060102"), []byte("1"), time.Until(midnight)) // EXPECT kvttl
}

// OpenWeek marks a site as having traffic this ISO week.
func (s *Server) OpenWeek(ctx context.Context, site string) error {
	now := time.Now().UTC()
	daysLeft := (8 - int(now.Weekday())) % 7
	if daysLeft == 0 {
		daysLeft = 7
	}
	end := time.Date(now.Year(), now.Month(), now.Day()+daysLeft, 0, 0, 0, 0, time.UTC)
	ttl := max(time.Until(end), time.Minute)
	y, wk := now.ISOWeek()
	return s.st.Put(ctx, fmt.Sprintf("week-open:%s:%d-%02d", site, y, wk), []byte("1"), ttl)
}

// NoteBurst records that a site exceeded its normal rate within window, so
// the dashboard can show a traffic-spike banner.
func (s *Server) NoteBurst(ctx context.Context, site string, window time.Duration, rate float64) error {
	ttl := max(2*window, 3*time.Second) // EXPECT kvttl
	body := []byte(strconv.FormatFloat(rate, 'f', 2, 64))
	return s.st.Put(ctx, "burst:"+site, body, ttl)
}

// Run flushes hit totals every interval until ctx is done.
func (s *Server) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			_ = s.Flush(context.WithoutCancel(ctx))
			return
		case <-t.C:
			if err := s.Flush(ctx); err != nil {
				s.log.ErrorContext(ctx, "flush hit totals", "err", err)
			}
		}
	}
}

func suffix() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
