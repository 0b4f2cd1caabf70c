// Package program serves the conference programme: the schedule grid, the
// keynote list, and per-conference display settings. The programme
// committee's planning tool is the source of truth; KV is the edge copy.
package program

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"example.com/lattice/internal/conf"
	"example.com/lattice/internal/platform/cfkv"
)

// Slot is one session in the grid.
type Slot struct {
	Room    string         `json:"room"`
	Start   time.Time      `json:"start"`
	End     time.Time      `json:"end"`
	Title   string         `json:"title"`
	Papers  []conf.PaperID `json:"papers,omitempty"`
	Chair   string         `json:"chair,omitempty"`
	Keynote bool           `json:"keynote,omitempty"`
}

// Schedule is a conference's full grid.
type Schedule struct {
	Conference conf.ConferenceID `json:"conference"`
	Slots      []Slot            `json:"slots"`
	Version    string            `json:"version"`
}

// Planner is the programme committee's planning tool.
type Planner interface {
	Schedule(ctx context.Context, c conf.ConferenceID) (Schedule, error)
}

// Service reads and writes the edge copy.
type Service struct {
	t        cfkv.Target
	settings cfkv.Target
	planner  Planner
}

// NewService wires the service; settings is the namespace holding display
// settings, one key per conference.
func NewService(t, settings cfkv.Target, planner Planner) *Service {
	return &Service{t: t, settings: settings, planner: planner}
}

func scheduleKey(c conf.ConferenceID) string { return "program:" + string(c) }

func (s *Service) read(ctx context.Context, target cfkv.Target, key string) ([]byte, error) {
	res, err := target.Client.KV.Namespaces.Values.Get(ctx, target.NamespaceID, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(target.AccountID),
	})
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

func (s *Service) write(ctx context.Context, target cfkv.Target, key, value string, ttlSeconds float64) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(target.AccountID),
		Value:     cloudflare.F(value),
	}
	if ttlSeconds > 0 {
		params.ExpirationTTL = cloudflare.F(max(ttlSeconds, 60))
	}
	_, err := target.Client.KV.Namespaces.Values.Update(ctx, target.NamespaceID, key, params)
	return err
}

// Schedule returns the grid, refreshing the edge copy from the planner on a
// miss.
func (s *Service) Schedule(ctx context.Context, c conf.ConferenceID) (Schedule, error) {
	raw, err := s.read(ctx, s.t, scheduleKey(c))
	if err == nil {
		var sch Schedule
		return sch, json.Unmarshal(raw, &sch)
	}
	if !cfkv.IsNotFound(err) {
		return Schedule{}, err
	}
	sch, err := s.planner.Schedule(ctx, c)
	if err != nil {
		return Schedule{}, fmt.Errorf("planner: %w", err)
	}
	body, err := json.Marshal(sch)
	if err != nil {
		return Schedule{}, err
	}
	return sch, s.write(ctx, s.t, scheduleKey(c), string(body), 15*60)
}

// AppendAnnouncement adds a line to the announcements ticker shown above the
// grid.
func (s *Service) AppendAnnouncement(ctx context.Context, c conf.ConferenceID, line string) error {
	key := "announcements:" + string(c)
	current, err := s.read(ctx, s.t, key)
	if err != nil && !cfkv.IsNotFound(err) {
		return err
	}
	text := strings.TrimSpace(string(current) + "\n" + time.Now().UTC().Format("15:04") + " " + line)
	_, err = s.t.Client.KV.Namespaces.Values.Update(ctx, s.t.NamespaceID, key, kv.NamespaceValueUpdateParams{ // EXPECT kvrace
		AccountID: cloudflare.F(s.t.AccountID),
		Value:     cloudflare.F(text),
	})
	return err
}

// Handler serves the public grid.
func (s *Service) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := conf.ConferenceID(r.PathValue("conference"))
		sch, err := s.Schedule(r.Context(), c)
		if err != nil {
			http.Error(w, "programme unavailable", http.StatusBadGateway)
			return
		}
		_, _ = s.t.Client.KV.Namespaces.Values.Update(r.Context(), s.t.NamespaceID, "program:last-served", kv.NamespaceValueUpdateParams{ // EXPECT kvhotkey
			AccountID: cloudflare.F(s.t.AccountID),
			Value:     cloudflare.F(string(c) + " " + sch.Version),
		})
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "public, max-age=60")
		_ = json.NewEncoder(w).Encode(sch)
	})
}
