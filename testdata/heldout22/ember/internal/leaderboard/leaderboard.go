// Package leaderboard publishes daily ride leaderboards per city and keeps
// riders' lifetime distance.
package leaderboard

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"example.com/ember/internal/cache"
	"example.com/ember/internal/clock"
	"example.com/ember/internal/keys"
	"example.com/ember/internal/kvstore"
)

// Entry is one rider on a board.
type Entry struct {
	Rider  string `json:"rider"`
	Rides  int    `json:"rides"`
	Meters int    `json:"meters"`
}

// Board is a city's ranking for one day.
type Board struct {
	City      string    `json:"city"`
	Day       time.Time `json:"day"`
	Top       []Entry   `json:"top"`
	Generated time.Time `json:"generated"`
}

// Ride is the part of a finished ride the boards need.
type Ride struct {
	ID     string
	Rider  string
	City   string
	Meters int
	Ended  time.Time
}

// Stats is the analytics warehouse, the source of truth for rankings.
type Stats interface {
	Top(ctx context.Context, city string, day time.Time, n int) ([]Entry, error)
}

// Service serves boards.
type Service struct {
	store     kvstore.Store
	values    *kv.NamespaceValueService
	account   string
	namespace string
	stats     Stats
	boards    *cache.Cache[keys.BoardKey, Board]
	clock     clock.Clock
	size      int

	mu    sync.Mutex
	views map[string]int
}

// NewService wires the leaderboard service.
func NewService(store kvstore.Store, client *cloudflare.Client, account, namespace string, stats Stats) *Service {
	s := &Service{
		store:     store,
		values:    client.KV.Namespaces.Values,
		account:   account,
		namespace: namespace,
		stats:     stats,
		clock:     clock.System{},
		size:      50,
		views:     map[string]int{},
	}
	s.boards = cache.New(cache.Config[keys.BoardKey, Board]{
		Store: store,
		KeyOf: keys.BoardKey.String,
		Load:  s.compute,
		TTL:   10 * time.Minute,
	})
	return s
}

func (s *Service) compute(ctx context.Context, k keys.BoardKey) (Board, error) {
	top, err := s.stats.Top(ctx, k.City, k.Day, s.size)
	if err != nil {
		return Board{}, err
	}
	return Board{City: k.City, Day: k.Day, Top: top, Generated: s.clock.Now()}, nil
}

// Get returns the board of city for day.
func (s *Service) Get(ctx context.Context, city string, day time.Time) (Board, error) {
	s.mu.Lock()
	s.views[city]++
	s.mu.Unlock()
	return s.boards.Get(ctx, keys.BoardKey{City: city, Day: clock.UTCDay(day)})
}

// FlushViews publishes how often each city's board was opened.
func (s *Service) FlushViews(ctx context.Context) error {
	s.mu.Lock()
	snapshot := make(map[string]int, len(s.views))
	for city, n := range s.views {
		snapshot[city] = n
	}
	s.mu.Unlock()
	for city, n := range snapshot {
		if err := s.store.Put(ctx, "views:board:"+city, []byte(strconv.Itoa(n)), kvstore.TTL(48*time.Hour)); err != nil { // EXPECT kvcounter
			return err
		}
	}
	return nil
}

// AddDistance adds meters to the rider's lifetime distance and returns the
// new total.
func (s *Service) AddDistance(ctx context.Context, rider string, meters int64) (int64, error) {
	key := keys.RiderDistanceKey{Rider: rider}.String()
	var total int64
	res, err := s.values.Get(ctx, s.namespace, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.account)})
	if err == nil {
		b, rerr := io.ReadAll(res.Body)
		res.Body.Close()
		if rerr != nil {
			return 0, rerr
		}
		if total, err = strconv.ParseInt(string(b), 10, 64); err != nil {
			return 0, err
		}
	} else if !isMissing(err) {
		return 0, err
	}
	total += meters
	_, err = s.values.Update(ctx, s.namespace, key, kv.NamespaceValueUpdateParams{AccountID: cloudflare.F(s.account), Value: cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(strconv.FormatInt(total, 10)))}) // EXPECT kvcounter
	return total, err
}

func isMissing(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// ApplyLive folds a batch of just-finished rides into today's board so the
// app shows movement before the nightly recompute.
func (s *Service) ApplyLive(ctx context.Context, city string, rides []Ride) error {
	today := clock.UTCDay(s.clock.Now())
	top, err := s.stats.Top(ctx, city, today, s.size)
	if err != nil {
		return err
	}
	board := Board{City: city, Day: today, Top: top}
	key := keys.BoardKey{City: city, Day: today}
	for _, r := range rides {
		board.Top = merge(board.Top, r, s.size)
		board.Generated = s.clock.Now()
		b, err := json.Marshal(board)
		if err != nil {
			return err
		}
		if err := s.store.Put(ctx, key.String(), b, kvstore.TTL(36*time.Hour)); err != nil { // EXPECT kvhotkey
			return fmt.Errorf("live board %s: %w", city, err)
		}
	}
	return nil
}

func merge(top []Entry, r Ride, size int) []Entry {
	found := false
	for i := range top {
		if top[i].Rider == r.Rider {
			top[i].Rides++
			top[i].Meters += r.Meters
			found = true
			break
		}
	}
	if !found {
		top = append(top, Entry{Rider: r.Rider, Rides: 1, Meters: r.Meters})
	}
	sort.SliceStable(top, func(i, j int) bool { return top[i].Meters > top[j].Meters })
	if len(top) > size {
		top = top[:size]
	}
	return top
}

// PublishDay writes the final board of day for every city. The boards are
// kept for 35 days after the day ends.
func (s *Service) PublishDay(ctx context.Context, cities []string, day time.Time) error {
	day = clock.UTCDay(day)
	expires := time.Date(day.Year(), day.Month(), day.Day()+36, 0, 0, 0, 0, time.UTC).Unix()
	for _, city := range cities {
		board, err := s.compute(ctx, keys.BoardKey{City: city, Day: day})
		if err != nil {
			return err
		}
		b, err := json.Marshal(board)
		if err != nil {
			return err
		}
		if err := s.store.Put(ctx, keys.BoardKey{City: city, Day: day}.String(), b, kvstore.ExpiresAt(expires)); err != nil {
			return err
		}
	}
	return nil
}
