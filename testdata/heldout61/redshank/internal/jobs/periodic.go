package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go"
	"github.com/riverqueue/river"

	"github.com/redshank-labs/redshank/internal/config"
	"github.com/redshank-labs/redshank/internal/experiments"
)

// PeriodicJobs returns the schedule River's leader enqueues.
func PeriodicJobs(cfg *config.Config) []*river.PeriodicJob {
	return []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(cfg.Jobs.SweepEvery),
			func() (river.JobArgs, *river.InsertOpts) { return SweepArgs{Prefix: experiments.SnapshotPrefix}, nil },
			&river.PeriodicJobOpts{ID: "sweep_snapshots"}),
		river.NewPeriodicJob(river.PeriodicInterval(cfg.Jobs.ManifestEvery),
			func() (river.JobArgs, *river.InsertOpts) { return ManifestArgs{}, nil },
			&river.PeriodicJobOpts{ID: "publish_manifest", RunOnStart: true}),
		river.NewPeriodicJob(river.PeriodicInterval(cfg.Jobs.RotateEvery),
			func() (river.JobArgs, *river.InsertOpts) { return RotateIngestTokenArgs{}, nil },
			&river.PeriodicJobOpts{ID: "rotate_ingest_token"}),
	}
}

func newIngestToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// ---- sweep ----

type SweepArgs struct {
	Prefix string `json:"prefix"`
}

func (SweepArgs) Kind() string { return "sweep" }

// SweepWorker deletes snapshots of experiments that no longer exist.
// Snapshots of live experiments expire on their own.
type SweepWorker struct {
	river.WorkerDefaults[SweepArgs]
	d Deps
}

func (w *SweepWorker) Work(ctx context.Context, job *river.Job[SweepArgs]) error {
	api, rc, nsID := w.d.Exps.SDK()
	params := cloudflare.ListWorkersKVsParams{NamespaceID: nsID, Prefix: job.Args.Prefix, Limit: w.d.Cfg.Jobs.ListPageSize}
	known := map[string]bool{}
	var orphans []string
	for {
		resp, err := api.ListWorkersKVKeys(ctx, rc, params) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range resp.Result {
			expID, _, _ := strings.Cut(strings.TrimPrefix(k.Name, experiments.SnapshotPrefix), ":")
			alive, seen := known[expID]
			if !seen {
				_, alive, err = w.d.Exps.Lookup(ctx, experiments.ExperimentKey(expID)) // DEBATABLE kvlist
				if err != nil {
					return err
				}
				known[expID] = alive
			}
			if !alive {
				orphans = append(orphans, k.Name)
			}
		}
		if resp.Cursor == "" {
			break
		}
		params.Cursor = resp.Cursor
	}
	for len(orphans) > 0 {
		n := min(len(orphans), 10000)
		if err := w.d.Exps.DeleteMany(ctx, orphans[:n]); err != nil {
			return err
		}
		orphans = orphans[n:]
	}
	return nil
}

// ---- manifest ----

type ManifestArgs struct{}

func (ManifestArgs) Kind() string { return "publish_manifest" }

// manifestSchema documents the manifest format for the edge tooling that
// reads it from the key's metadata.
const manifestSchema = `{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"https://redshank.dev/schemas/manifest.v2.json","title":"Redshank live manifest","description":"Experiments the edge Worker may serve. Each entry carries the experiment's ID, key, tenant, salt, variants with weights in basis points, and the instant after which the edge must stop assigning. Entries are sorted by key. The manifest is rewritten every few minutes by the publish_manifest job; readers should treat it as eventually consistent.","type":"object","required":["version","generatedAt","experiments"],"properties":{"version":{"type":"integer","const":2},"generatedAt":{"type":"string","format":"date-time"},"experiments":{"type":"array","items":{"type":"object","required":["id","key","tenant","salt","variants"],"properties":{"id":{"type":"string"},"key":{"type":"string"},"tenant":{"type":"string"},"salt":{"type":"string"},"endsAt":{"type":"string","format":"date-time"},"variants":{"type":"array","items":{"type":"object","required":["name","weight"],"properties":{"name":{"type":"string"},"weight":{"type":"integer","minimum":0,"maximum":10000}}}}}}}}}`

type manifest struct {
	Version     int                      `json:"version"`
	GeneratedAt time.Time                `json:"generatedAt"`
	Experiments []experiments.Experiment `json:"experiments"`
}

type edgeConfig struct {
	GeneratedAt time.Time                 `json:"generatedAt"`
	Experiments map[string]edgeExperiment `json:"experiments"`
}

type edgeExperiment struct {
	Salt     string                `json:"salt"`
	Variants []experiments.Variant `json:"variants"`
	EndsAt   int64                 `json:"endsAt,omitempty"`
}

// ManifestWorker publishes the set of live experiments for the edge.
type ManifestWorker struct {
	river.WorkerDefaults[ManifestArgs]
	d Deps
}

func (w *ManifestWorker) Work(ctx context.Context, job *river.Job[ManifestArgs]) error {
	now := time.Now().UTC()
	var live []experiments.Experiment
	cursor := ""
	for page := 0; page < w.d.Cfg.Jobs.MaxListPages; page++ {
		keys, next, err := w.d.Exps.ListPage(ctx, experiments.ExperimentPrefix, cursor, w.d.Cfg.Jobs.ListPageSize)
		if err != nil {
			return err
		}
		var batch []string
		for _, k := range keys {
			batch = append(batch, k.Name)
		}
		exps, err := w.fetch(ctx, batch)
		if err != nil {
			return err
		}
		for _, e := range exps {
			if e.Live(now) {
				live = append(live, e)
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}

	m := manifest{Version: 2, GeneratedAt: now, Experiments: live}
	body, err := json.Marshal(m)
	if err != nil {
		return err
	}
	if err := w.d.Exps.PutMany(ctx, []*cloudflare.WorkersKVPair{{
		Key:      experiments.ManifestKey,
		Value:    string(body),
		Metadata: map[string]any{"schema": json.RawMessage(manifestSchema), "count": len(live)}, // EXPECT kvlimits
	}}); err != nil {
		return err
	}

	cfg := edgeConfig{GeneratedAt: now, Experiments: map[string]edgeExperiment{}}
	for _, e := range live {
		entry := edgeExperiment{Salt: e.Salt, Variants: e.Variants}
		if !e.EndsAt.IsZero() {
			entry.EndsAt = e.EndsAt.Unix()
		}
		cfg.Experiments[e.ID] = entry
		if err := w.d.Exps.PutJSON(ctx, experiments.EdgeConfigKey, cfg, 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return w.d.Metrics.Put(ctx, "manifest:published-at", []byte(strconv.FormatInt(now.Unix(), 10)))
}

// fetch reads the experiment definitions named by keys.
func (w *ManifestWorker) fetch(ctx context.Context, keys []string) ([]experiments.Experiment, error) {
	out := make([]experiments.Experiment, 0, len(keys))
	for _, k := range keys {
		var e experiments.Experiment
		if err := w.d.Exps.GetJSON(ctx, k, &e); err != nil { // EXPECT kvlist
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}
