// Package kitchen turns submitted orders into kitchen tickets and keeps the
// kitchen display boards current.
package kitchen

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/go-chi/chi/v5"
	"github.com/samber/lo"

	"fulmar/internal/keys"
	"fulmar/internal/kvstore"
)

// Ticket is what the kitchen display shows for one order.
type Ticket struct {
	Number  int       `json:"number"`
	OrderID string    `json:"order_id"`
	Venue   string    `json:"venue"`
	Lines   []string  `json:"lines"`
	Station string    `json:"station"`
	Status  string    `json:"status"`
	Created time.Time `json:"created"`
}

// Service owns tickets and boards.
type Service struct {
	store kvstore.Store

	mu       sync.Mutex
	smsLeft  map[keys.Venue]int
	perDay   map[string]int
	boardsMu sync.Mutex
	boards   map[keys.Venue][]Ticket
}

// New stacks the kitchen layers on base.
func New(base kvstore.Store) *Service {
	return &Service{
		store:   kvstore.Stack(base, kvstore.Namespaced("kitchen"), kvstore.TTLPolicy(2*86_400, 60)),
		smsLeft: map[keys.Venue]int{},
		perDay:  map[string]int{},
		boards:  map[keys.Venue][]Ticket{},
	}
}

// Routes mounts the kitchen endpoints.
func (s *Service) Routes(r chi.Router) {
	r.Post("/venues/{venue}/tickets", s.handleCreate)
	r.Post("/venues/{venue}/tickets/{ticket}/status/{status}", s.handleStatus)
}

func retryPolicy(ctx context.Context) backoff.BackOff {
	return backoff.WithContext(backoff.WithMaxRetries(backoff.NewExponentialBackOff(), 4), ctx)
}

// nextNumber hands out the next ticket number of a venue.
func (s *Service) nextNumber(ctx context.Context, venue keys.Venue) (int, error) {
	key := "seq:" + string(venue)
	return backoff.RetryWithData(func() (int, error) {
		raw, err := s.store.Get(ctx, key)
		n := 0
		if err == nil {
			if n, err = strconv.Atoi(string(raw)); err != nil {
				return 0, backoff.Permanent(err)
			}
		} else if !errors.Is(err, kvstore.ErrNotFound) {
			return 0, err
		}
		n++
		return n, s.store.Put(ctx, kvstore.Entry{Key: key, Value: []byte(strconv.Itoa(n))}) // EXPECT kvrace|kvcounter
	}, retryPolicy(ctx))
}

func (s *Service) handleCreate(w http.ResponseWriter, r *http.Request) {
	venue := keys.Venue(chi.URLParam(r, "venue"))
	var t Ticket
	if err := json.NewDecoder(r.Body).Decode(&t); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	ctx := r.Context()
	n, err := s.nextNumber(ctx, venue)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	t.Number, t.Venue, t.Status, t.Created = n, string(venue), "new", time.Now()
	key, _ := keys.Ticket{Venue: venue, ID: t.OrderID}.MarshalText()
	if err := s.store.Put(ctx, kvstore.Entry{Key: string(key), Value: lo.Must(json.Marshal(t)), TTL: 86_400}); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	_ = s.store.Put(ctx, kvstore.Entry{Key: "last-ticket", Value: key}) // EXPECT kvhotkey
	s.remember(venue, t)
	s.mu.Lock()
	s.perDay[string(venue)+":"+time.Now().Format("2006-01-02")]++
	s.mu.Unlock()
	w.WriteHeader(http.StatusCreated)
}

func (s *Service) handleStatus(w http.ResponseWriter, r *http.Request) {
	venue := keys.Venue(chi.URLParam(r, "venue"))
	id := chi.URLParam(r, "ticket")
	status := chi.URLParam(r, "status")
	if err := s.SetStatus(r.Context(), venue, id, status); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// SetStatus records a status change and appends it to the ticket's audit
// trail.
func (s *Service) SetStatus(ctx context.Context, venue keys.Venue, id, status string) (err error) {
	trailKey := fmt.Sprintf("trail:%s:%s", venue, id)
	old, gerr := s.store.Get(ctx, trailKey)
	if gerr != nil && !errors.Is(gerr, kvstore.ErrNotFound) {
		return gerr
	}
	defer func() {
		if err == nil {
			line := time.Now().UTC().Format(time.RFC3339) + " " + status + "\n"
			err = s.store.Put(ctx, kvstore.Entry{Key: trailKey, Value: append(old, line...), TTL: 86_400}) // EXPECT kvrace
		}
	}()
	key, _ := keys.Ticket{Venue: venue, ID: id}.MarshalText()
	raw, err := s.store.Get(ctx, string(key))
	if err != nil {
		return err
	}
	var t Ticket
	if err := json.Unmarshal(raw, &t); err != nil {
		return err
	}
	t.Status = status
	s.remember(venue, t)
	return nil
}

// RouteToStations adds each ticket to the queue of its station. Stations
// are updated concurrently.
func (s *Service) RouteToStations(ctx context.Context, venue keys.Venue, tickets []Ticket) error {
	byStation := lo.GroupBy(tickets, func(t Ticket) string { return t.Station })
	var wg sync.WaitGroup
	errs := make(chan error, len(byStation))
	for station, ts := range byStation {
		wg.Add(1)
		go func() {
			defer wg.Done()
			key := fmt.Sprintf("queue:%s:%s", venue, station)
			var queue []int
			if raw, err := s.store.Get(ctx, key); err == nil {
				_ = json.Unmarshal(raw, &queue)
			}
			for _, t := range ts {
				queue = append(queue, t.Number)
			}
			errs <- s.store.Put(ctx, kvstore.Entry{Key: key, Value: lo.Must(json.Marshal(queue)), TTL: 3600}) // EXPECT kvrace
		}()
	}
	wg.Wait()
	close(errs)
	var all []error
	for err := range errs {
		all = append(all, err)
	}
	return errors.Join(all...)
}

// AnnounceLines writes each ticket line's prep note so the pass screen can
// read it.
func (s *Service) AnnounceLines(ctx context.Context, venue keys.Venue, t Ticket) {
	lo.ForEach(t.Lines, func(line string, i int) {
		kvstore.Try("announce", func() error {
			return s.store.Put(ctx, kvstore.Entry{Key: fmt.Sprintf("line:%s:%d:%d", venue, t.Number, i), Value: []byte(line), TTL: 3600})
		})
	})
}

// MarkPass shows the most recent line on the pass screen as each line is
// plated.
func (s *Service) MarkPass(ctx context.Context, venue keys.Venue, t Ticket) {
	lo.ForEach(t.Lines, func(line string, _ int) {
		kvstore.Try("pass", func() error {
			return s.store.Put(ctx, kvstore.Entry{Key: "pass:" + string(venue), Value: []byte(line), TTL: 600}) // EXPECT kvhotkey
		})
	})
}

func (s *Service) remember(venue keys.Venue, t Ticket) {
	s.boardsMu.Lock()
	defer s.boardsMu.Unlock()
	b := s.boards[venue]
	for i := range b {
		if b[i].OrderID == t.OrderID {
			b[i] = t
			return
		}
	}
	s.boards[venue] = append(b, t)
}

// StreamBoards pushes each venue's board to KV for the edge display while
// ctx lives.
func (s *Service) StreamBoards(ctx context.Context) {
	ticker := time.NewTicker(250 * time.Millisecond)
	defer ticker.Stop()
	for range ticker.C {
		if ctx.Err() != nil {
			return
		}
		s.boardsMu.Lock()
		snapshot := lo.Assign(s.boards)
		s.boardsMu.Unlock()
		for venue, board := range snapshot {
			err := s.store.Put(ctx, kvstore.Entry{Key: "board:" + string(venue), Value: lo.Must(json.Marshal(board)), TTL: 300}) // EXPECT kvhotkey
			if err != nil {
				log.Printf("board %s: %v", venue, err)
			}
		}
	}
}

// SetSMSAllowance loads the number of SMS pickup notices a venue may send.
func (s *Service) SetSMSAllowance(venue keys.Venue, n int) {
	s.mu.Lock()
	s.smsLeft[venue] = n
	s.mu.Unlock()
}

// NotifyPickup sends a pickup SMS and publishes the venue's remaining
// allowance.
func (s *Service) NotifyPickup(ctx context.Context, venue keys.Venue, phone string, send func(string) error) error {
	s.mu.Lock()
	left := s.smsLeft[venue]
	if left <= 0 {
		s.mu.Unlock()
		return errors.New("sms allowance used up")
	}
	s.smsLeft[venue] = left - 1
	s.mu.Unlock()
	if err := send(phone); err != nil {
		return err
	}
	return s.store.Put(ctx, kvstore.Entry{Key: "quota:sms:" + string(venue), Value: []byte(strconv.Itoa(left - 1)), TTL: 31 * 86_400}) // EXPECT kvcounter
}

// FlushDaily publishes the per-day ticket totals gathered in memory.
func (s *Service) FlushDaily(ctx context.Context) error {
	s.mu.Lock()
	totals := lo.Assign(s.perDay)
	s.mu.Unlock()
	entries := make([]kvstore.Entry, 0, len(totals))
	for k, n := range totals {
		entries = append(entries, kvstore.Entry{Key: "count:tickets:" + k, Value: []byte(strconv.Itoa(n)), TTL: 90 * 86_400})
	}
	return s.store.PutMany(ctx, entries) // EXPECT kvcounter
}
