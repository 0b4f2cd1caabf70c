// Package catalog is the system of record for shows, episodes and creators.
// Production runs it on Postgres; the in-memory implementation here is used
// for local development and tests.
package catalog

import (
	"context"
	"errors"
	"maps"
	"slices"
	"sync"
	"time"
)

// ErrNotFound is returned for unknown ids.
var ErrNotFound = errors.New("catalog: not found")

// ErrConflict is returned when a unique constraint would be violated.
var ErrConflict = errors.New("catalog: conflict")

// Show is the authoritative show record.
type Show struct {
	ID        string    `json:"id"`
	Slug      string    `json:"slug"`
	OwnerID   string    `json:"owner_id"`
	Title     string    `json:"title"`
	Author    string    `json:"author"`
	Language  string    `json:"language"`
	Explicit  bool      `json:"explicit"`
	ImageURL  string    `json:"image_url"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Episode is the authoritative episode record.
type Episode struct {
	ID          string        `json:"id"`
	ShowID      string        `json:"show_id"`
	Number      int           `json:"number"`
	Title       string        `json:"title"`
	AudioURL    string        `json:"audio_url"`
	Bytes       int64         `json:"bytes"`
	Duration    time.Duration `json:"duration"`
	PublishedAt time.Time     `json:"published_at"`
}

// Creator is an account that owns shows.
type Creator struct {
	ID           string    `json:"id"`
	Email        string    `json:"email"`
	Handle       string    `json:"handle"`
	PasswordHash []byte    `json:"-"`
	Plan         string    `json:"plan"`
	CreatedAt    time.Time `json:"created_at"`
}

// Catalog is the read/write port onto the system of record.
type Catalog interface {
	Show(ctx context.Context, id string) (Show, error)
	ShowBySlug(ctx context.Context, slug string) (Show, error)
	InsertShow(ctx context.Context, s Show) error
	Episodes(ctx context.Context, showID string) ([]Episode, error)
	Episode(ctx context.Context, id string) (Episode, error)
	CreatorByEmail(ctx context.Context, email string) (Creator, error)
	DownloadTotals(ctx context.Context, day time.Time) (map[string]int64, error)
}

// Memory is an in-memory Catalog.
type Memory struct {
	mu        sync.RWMutex
	shows     map[string]Show
	episodes  map[string]Episode
	creators  map[string]Creator
	downloads map[string]map[string]int64
}

// NewMemory returns an empty catalog.
func NewMemory() *Memory {
	return &Memory{
		shows:     map[string]Show{},
		episodes:  map[string]Episode{},
		creators:  map[string]Creator{},
		downloads: map[string]map[string]int64{},
	}
}

func find[T any](m *Memory, items map[string]T, match func(T) bool) (T, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	for _, v := range items {
		if match(v) {
			return v, nil
		}
	}
	var zero T
	return zero, ErrNotFound
}

func (m *Memory) Show(_ context.Context, id string) (Show, error) {
	return find(m, m.shows, func(s Show) bool { return s.ID == id })
}

func (m *Memory) ShowBySlug(_ context.Context, slug string) (Show, error) {
	return find(m, m.shows, func(s Show) bool { return s.Slug == slug })
}

func (m *Memory) Episode(_ context.Context, id string) (Episode, error) {
	return find(m, m.episodes, func(e Episode) bool { return e.ID == id })
}

func (m *Memory) CreatorByEmail(_ context.Context, email string) (Creator, error) {
	return find(m, m.creators, func(c Creator) bool { return c.Email == email })
}

func (m *Memory) InsertShow(_ context.Context, s Show) error {
	if _, err := m.ShowBySlug(context.Background(), s.Slug); err == nil {
		return ErrConflict
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.shows[s.ID] = s
	return nil
}

func (m *Memory) Episodes(_ context.Context, showID string) ([]Episode, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	var out []Episode
	for _, e := range m.episodes {
		if e.ShowID == showID {
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(a, b Episode) int { return b.PublishedAt.Compare(a.PublishedAt) })
	return out, nil
}

func (m *Memory) DownloadTotals(_ context.Context, day time.Time) (map[string]int64, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return maps.Clone(m.downloads[day.Format(time.DateOnly)]), nil
}

// AddEpisode inserts or replaces an episode.
func (m *Memory) AddEpisode(e Episode) {
	m.mu.Lock()
	m.episodes[e.ID] = e
	m.mu.Unlock()
}

// AddCreator inserts or replaces a creator.
func (m *Memory) AddCreator(c Creator) {
	m.mu.Lock()
	m.creators[c.ID] = c
	m.mu.Unlock()
}

var _ Catalog = (*Memory)(nil)
