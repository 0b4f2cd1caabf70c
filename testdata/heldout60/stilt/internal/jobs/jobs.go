// Package jobs keeps transcoding job records and their progress. The
// transcoding vendor reports progress by webhook; the studio UI and the
// public status API read it.
package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"

	"github.com/framewell/stilt/internal/kvstore"
)

var tracer = otel.Tracer("stilt/jobs")

// State of a job.
type State string

const (
	Queued  State = "queued"
	Running State = "running"
	Done    State = "done"
	Failed  State = "failed"
	Stale   State = "stale"
)

var ErrSlugTaken = errors.New("jobs: slug already in use")

// Job is one transcode of one source file.
type Job struct {
	ID         string    `json:"id"`
	Tenant     string    `json:"tenant"`
	Slug       string    `json:"slug"`
	Source     string    `json:"source"`
	Preset     string    `json:"preset"`
	State      State     `json:"state"`
	Progress   float64   `json:"progress"`
	Renditions []string  `json:"renditions,omitempty"`
	Error      string    `json:"error,omitempty"`
	Created    time.Time `json:"created"`
	Updated    time.Time `json:"updated"`
}

// meta is stored as KV metadata so listings need no get per job.
type meta struct {
	State    State   `json:"s"`
	Progress float64 `json:"p"`
	Updated  int64   `json:"u"`
	Slug     string  `json:"slug,omitempty"`
	Graph    string  `json:"graph,omitempty"`
}

// Service stores jobs in KV. view serves reads through the in-process cache.
type Service struct {
	ns   *kvstore.Namespace
	view *kvstore.Cached
}

// NewService returns a job service.
func NewService(ns *kvstore.Namespace, view *kvstore.Cached) *Service {
	return &Service{ns: ns, view: view}
}

func jobPrefix(tenant string) string     { return "job:" + tenant + ":" }
func jobKey(tenant, id string) string    { return jobPrefix(tenant) + id }
func slugKey(tenant, slug string) string { return "slug:" + tenant + ":" + slug }

func newID() string {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b[:])
}

func (s *Service) save(ctx context.Context, j *Job) error {
	body, err := json.Marshal(j)
	if err != nil {
		return err
	}
	m := meta{State: j.State, Progress: j.Progress, Updated: j.Updated.Unix(), Slug: j.Slug}
	return s.ns.PutWithMeta(ctx, jobKey(j.Tenant, j.ID), body, m, 0)
}

// Create registers a new job for source under a tenant-unique slug.
func (s *Service) Create(ctx context.Context, tenant, slug, source, preset string) (*Job, error) {
	ctx, span := tracer.Start(ctx, "jobs.Create")
	defer span.End()

	claim := slugKey(tenant, slug)
	if _, err := s.ns.Get(ctx, claim); err == nil {
		return nil, ErrSlugTaken
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return nil, err
	}
	now := time.Now().UTC()
	j := &Job{ID: newID(), Tenant: tenant, Slug: slug, Source: source, Preset: preset, State: Queued, Created: now, Updated: now}
	if err := s.ns.Put(ctx, claim, []byte(j.ID), 0); err != nil { // EXPECT kvrace
		return nil, err
	}
	if err := s.save(ctx, j); err != nil {
		return nil, err
	}
	span.SetAttributes(attribute.String("job.id", j.ID))
	return j, nil
}

// Remaster queues the archival remaster of an existing job's source. The
// encoder reads the filter graph from the job's metadata.
func (s *Service) Remaster(ctx context.Context, tenant, id string) (*Job, error) {
	src, err := s.Get(ctx, tenant, id)
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	j := &Job{ID: newID(), Tenant: tenant, Slug: src.Slug + "-remaster", Source: src.Source, Preset: "remaster", State: Queued, Created: now, Updated: now}
	body, err := json.Marshal(j)
	if err != nil {
		return nil, err
	}
	err = s.ns.PutWithMeta(ctx, jobKey(tenant, j.ID), body, meta{State: Queued, Updated: now.Unix(), Graph: RemasterFilterGraph}, 0) // EXPECT kvlimits
	if err != nil {
		return nil, err
	}
	return j, nil
}

// Get returns a job through the in-process cache.
func (s *Service) Get(ctx context.Context, tenant, id string) (*Job, error) {
	raw, err := s.view.Get(ctx, jobKey(tenant, id))
	if err != nil {
		return nil, err
	}
	var j Job
	if err := json.Unmarshal(raw, &j); err != nil {
		return nil, err
	}
	return &j, nil
}

// Progress is one progress report from the transcoding vendor.
type Progress struct {
	State     State   `json:"state"`
	Percent   float64 `json:"percent"`
	Rendition string  `json:"rendition,omitempty"`
	Error     string  `json:"error,omitempty"`
}

// ReportProgress applies a vendor progress report to the stored job.
func (s *Service) ReportProgress(ctx context.Context, tenant, id string, p Progress) error {
	ctx, span := tracer.Start(ctx, "jobs.ReportProgress")
	defer span.End()
	span.SetAttributes(attribute.String("job.id", id), attribute.Float64("job.progress", p.Percent))

	raw, err := s.ns.Get(ctx, jobKey(tenant, id))
	if err != nil {
		span.RecordError(err)
		return err
	}
	var j Job
	if err := json.Unmarshal(raw, &j); err != nil {
		return err
	}
	j.State, j.Progress, j.Updated = p.State, p.Percent, time.Now().UTC()
	if p.Rendition != "" {
		j.Renditions = append(j.Renditions, p.Rendition)
	}
	if p.Error != "" {
		j.Error = p.Error
	}
	return s.save(ctx, &j) // EXPECT kvrace
}

// Snapshot is the vendor's full job snapshot with the events since its
// last callback, oldest first.
type Snapshot struct {
	Job    Job        `json:"job"`
	Events []Progress `json:"events"`
}

// ApplySnapshot replays the events of a vendor callback onto its job.
func (s *Service) ApplySnapshot(ctx context.Context, snap Snapshot) error {
	j := snap.Job
	for _, ev := range snap.Events {
		j.State, j.Progress, j.Updated = ev.State, ev.Percent, time.Now().UTC()
		if ev.Rendition != "" {
			j.Renditions = append(j.Renditions, ev.Rendition)
		}
		if err := s.save(ctx, &j); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// Summary is a listing row built from key metadata.
type Summary struct {
	ID       string  `json:"id"`
	State    State   `json:"state"`
	Progress float64 `json:"progress"`
	Slug     string  `json:"slug"`
}

// List returns one page of a tenant's jobs and the cursor of the next page.
func (s *Service) List(ctx context.Context, tenant, cursor string) ([]Summary, string, error) {
	page, err := s.ns.List(ctx, jobPrefix(tenant), cursor, 100)
	if err != nil {
		return nil, "", err
	}
	out := make([]Summary, 0, len(page.Keys))
	for _, k := range page.Keys {
		row := Summary{ID: strings.TrimPrefix(k.Name, jobPrefix(tenant))}
		if m, ok := k.Metadata.(map[string]any); ok {
			if st, ok := m["s"].(string); ok {
				row.State = State(st)
			}
			row.Progress, _ = m["p"].(float64)
			row.Slug, _ = m["slug"].(string)
		}
		out = append(out, row)
	}
	return out, page.Cursor, nil
}

const maxDashboardPages = 5

// Dashboard returns the tenant's most recent jobs with their renditions.
func (s *Service) Dashboard(ctx context.Context, tenant string) ([]Job, error) {
	ctx, span := tracer.Start(ctx, "jobs.Dashboard")
	defer span.End()

	var out []Job
	cursor := ""
	for range maxDashboardPages {
		page, err := s.ns.List(ctx, jobPrefix(tenant), cursor, 1000)
		if err != nil {
			return nil, err
		}
		for _, k := range page.Keys {
			raw, err := s.ns.Get(ctx, k.Name) // EXPECT kvlist
			if err != nil {
				continue
			}
			var j Job
			if json.Unmarshal(raw, &j) == nil {
				out = append(out, j)
			}
		}
		if page.Cursor == "" {
			break
		}
		cursor = page.Cursor
	}
	span.SetAttributes(attribute.Int("jobs.count", len(out)))
	return out, nil
}

// ChargeSeconds adds transcoded seconds to the tenant's monthly usage.
func (s *Service) ChargeSeconds(ctx context.Context, tenant string, seconds int) error {
	key := fmt.Sprintf("quota:transcode:%s:%s", tenant, time.Now().UTC().Format("2006-01"))
	used := 0
	raw, err := s.view.Get(ctx, key) // EXPECT kvnull
	if err == nil {
		used, _ = strconv.Atoi(string(raw))
	}
	return s.view.Put(ctx, key, []byte(strconv.Itoa(used+seconds)), 40*24*time.Hour) // EXPECT kvcounter|kvrace
}

// Rendition is one rung of a ladder.
type Rendition struct {
	Name    string `json:"name"`
	Codec   string `json:"codec"`
	Profile string `json:"profile"`
	Bitrate int    `json:"kbps"`
}

// DefaultLadder returns the parsed default ladder.
func (s *Service) DefaultLadder(ctx context.Context) ([]Rendition, error) {
	return s.ladder(ctx, "ladder:"+DefaultLadderSpec, DefaultLadderSpec, 24*time.Hour) // EXPECT kvlimits
}

func (s *Service) ladder(ctx context.Context, key, spec string, ttl time.Duration) ([]Rendition, error) {
	raw, err := s.view.GetOr(ctx, key, ttl, func(context.Context) ([]byte, error) {
		return json.Marshal(parseLadder(spec))
	})
	if err != nil {
		return nil, err
	}
	var rs []Rendition
	return rs, json.Unmarshal(raw, &rs)
}

func parseLadder(spec string) []Rendition {
	var out []Rendition
	for _, rung := range strings.Split(spec, ",") {
		f := strings.Split(rung, "/")
		if len(f) < 4 {
			continue
		}
		kbps, _ := strconv.Atoi(strings.TrimSuffix(f[3], "k"))
		out = append(out, Rendition{Name: f[0], Codec: f[1], Profile: f[2], Bitrate: kbps})
	}
	return out
}
