// Package jobs runs the control plane's background work on the worker.
package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"strconv"
	"strings"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"example.com/osprey/internal/config"
)

// Runner owns the worker's periodic jobs.
type Runner struct {
	client    *cloudflare.Client
	accountID string
	ns        string
	worker    string
	cfg       *atomicConfig
}

type atomicConfig struct{ load func() *config.Config }

// NewRunner returns a Runner; the configuration is read at every tick.
func NewRunner(client *cloudflare.Client, accountID, ns, workerID string) *Runner {
	return &Runner{client: client, accountID: accountID, ns: ns, worker: workerID, cfg: &atomicConfig{load: config.Load}}
}

func isNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

func (r *Runner) get(ctx context.Context, key string) ([]byte, error) {
	res, err := r.client.KV.Namespaces.Values.Get(ctx, r.ns, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(r.accountID)})
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

func (r *Runner) put(ctx context.Context, key string, v []byte, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(r.accountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(v)),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(max(ttl, time.Minute).Seconds())
	}
	_, err := r.client.KV.Namespaces.Values.Update(ctx, r.ns, key, params)
	return err
}

// readJSON decodes key into v and reports whether it was there.
func (r *Runner) readJSON(ctx context.Context, key string, v any) bool {
	res, err := r.client.KV.Namespaces.Values.Get(ctx, r.ns, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(r.accountID)}) // EXPECT kvnull
	if err != nil {
		return false
	}
	defer res.Body.Close()
	return json.NewDecoder(res.Body).Decode(v) == nil
}

// Run starts the ticker loops and blocks until ctx ends.
func (r *Runner) Run(ctx context.Context) {
	c := r.cfg.load()
	sweep := time.NewTicker(c.Jobs.SweepEvery)
	beat := time.NewTicker(c.Jobs.HeartbeatEvery)
	digest := time.NewTicker(c.Jobs.DigestEvery)
	defer sweep.Stop()
	defer beat.Stop()
	defer digest.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-beat.C:
			if err := r.heartbeat(ctx); err != nil {
				log.Printf("heartbeat: %v", err)
			}
		case <-sweep.C:
			ok, err := r.acquireLease(ctx, "sweep")
			if err != nil || !ok {
				continue
			}
			if err := r.sweepBuilds(ctx); err != nil {
				log.Printf("sweep: %v", err)
			}
		case t := <-digest.C:
			if err := r.digest(ctx, t); err != nil {
				log.Printf("digest: %v", err)
			}
		}
	}
}

// heartbeat writes this worker's liveness marker once per tick.
func (r *Runner) heartbeat(ctx context.Context) error {
	return r.put(ctx, "workers/"+r.worker+"/heartbeat", []byte(time.Now().UTC().Format(time.RFC3339)), 5*time.Minute)
}

type lease struct {
	Holder  string    `json:"holder"`
	Expires time.Time `json:"expires"`
}

// acquireLease takes the job lease if it is free or expired.
func (r *Runner) acquireLease(ctx context.Context, job string) (bool, error) {
	key := strings.Join([]string{"leases", "jobs", job}, "/")
	b, err := r.get(ctx, key)
	switch {
	case err == nil:
		var l lease
		if json.Unmarshal(b, &l) == nil && l.Holder != r.worker && time.Now().Before(l.Expires) {
			return false, nil
		}
	case !isNotFound(err):
		return false, err
	}
	d := r.cfg.load().Locks.JobLease
	out, _ := json.Marshal(lease{Holder: r.worker, Expires: time.Now().Add(d)})
	_, err = r.client.KV.Namespaces.Values.Update(ctx, r.ns, key, kv.NamespaceValueUpdateParams{ // DEBATABLE kvrace
		AccountID:     cloudflare.F(r.accountID),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(out)),
		ExpirationTTL: cloudflare.F(float64(d)), // EXPECT kvttl
	})
	return err == nil, err
}

// sweepBuilds finds stale queued builds and marks them failed. It stops
// when its time budget is spent.
func (r *Runner) sweepBuilds(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, r.cfg.load().Jobs.SweepBudget)
	defer cancel()
	params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(r.accountID), Prefix: cloudflare.F("builds/"), Limit: cloudflare.F(1000.0)}
	page, err := r.client.KV.Namespaces.Keys.List(ctx, r.ns, params)
	if err != nil {
		return err
	}
pages:
	for page != nil {
		select {
		case <-ctx.Done():
			break pages
		default:
		}
		for _, k := range page.Result {
			if !strings.HasSuffix(k.Name, "/status") {
				continue
			}
			res, err := r.client.KV.Namespaces.Values.Get(ctx, r.ns, k.Name, kv.NamespaceValueGetParams{AccountID: cloudflare.F(r.accountID)}) // EXPECT kvlist
			if err != nil {
				continue
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if string(body) != "queued" {
				continue
			}
			if err := r.put(ctx, k.Name, []byte("failed"), 24*time.Hour); err != nil {
				return err
			}
		}
		if page, err = page.GetNextPage(); err != nil {
			return err
		}
	}
	return nil
}

// digest writes an hourly summary under that hour's key, once per tick.
func (r *Runner) digest(ctx context.Context, t time.Time) error {
	projects, err := r.projectIDs(ctx)
	if err != nil {
		return err
	}
	bucket := t.UTC().Truncate(time.Hour).Unix()
	summary := map[string]int{"projects": len(projects)}
	b, _ := json.Marshal(summary)
	return r.put(ctx, fmt.Sprintf("digests/%d", bucket), b, 30*24*time.Hour)
}

// projectIDs lists every project record key in the namespace.
func (r *Runner) projectIDs(ctx context.Context) ([]string, error) {
	var ids []string
	iter := r.client.KV.Namespaces.Keys.ListAutoPaging(ctx, r.ns, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(r.accountID),
		Prefix:    cloudflare.F("projects/"),
	})
	for iter.Next() {
		k := iter.Current()
		if strings.HasSuffix(k.Name, "/record") {
			ids = append(ids, strings.Split(k.Name, "/")[1])
		}
	}
	return ids, iter.Err()
}

// MarkAlive records, for every project this worker serves, that the worker
// has checked in.
func (r *Runner) MarkAlive(ctx context.Context, projects []string) error {
	for _, p := range projects {
		if p == "" {
			continue
		}
		_, err := r.client.KV.Namespaces.Values.Update(ctx, r.ns, "workers/last-checkin", kv.NamespaceValueUpdateParams{ // EXPECT kvhotkey
			AccountID: cloudflare.F(r.accountID),
			Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(p + "@" + time.Now().UTC().Format(time.RFC3339))),
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// CountDeploy increments the daily deploy count of a project.
func (r *Runner) CountDeploy(ctx context.Context, project string, day time.Time) error {
	key := fmt.Sprintf("deploys/%s/%s/count", project, day.Format("2006-01-02"))
	var n int64
	b, err := r.get(ctx, key)
	if err == nil {
		n, _ = strconv.ParseInt(string(b), 10, 64)
	} else if !isNotFound(err) {
		return err
	}
	return r.put(ctx, key, []byte(strconv.FormatInt(n+1, 10)), 48*time.Hour) // EXPECT kvcounter
}

// AppendHistory appends a line to a build's status history.
func (r *Runner) AppendHistory(ctx context.Context, project, build, line string) error {
	key := fmt.Sprintf("builds/%s/%s/history", project, build)
	old, err := r.get(ctx, key)
	if err != nil && !isNotFound(err) {
		return err
	}
	_, err = r.client.KV.Namespaces.Values.Update(ctx, r.ns, key, kv.NamespaceValueUpdateParams{ // EXPECT kvrace
		AccountID: cloudflare.F(r.accountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(string(old) + line + "\n")),
	})
	return err
}

// EnvDefaults are the settings a new environment starts with.
type EnvDefaults struct {
	Region   string `json:"region"`
	Replicas int    `json:"replicas"`
}

// SeedEnvironment stores default settings for an environment that has none.
func (r *Runner) SeedEnvironment(ctx context.Context, project, env string) error {
	key := fmt.Sprintf("env-settings/%s/%s", project, env)
	var cur EnvDefaults
	if r.readJSON(ctx, key, &cur) {
		return nil
	}
	b, _ := json.Marshal(EnvDefaults{Region: "auto", Replicas: 1})
	return r.put(ctx, key, b, 0)
}

// SeedFromTemplate copies the template's settings to an environment that
// has none yet.
func (r *Runner) SeedFromTemplate(ctx context.Context, project, env string) error {
	key := fmt.Sprintf("env-settings/%s/%s", project, env)
	res, err := r.client.KV.Namespaces.Values.Get(ctx, r.ns, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(r.accountID)}) // EXPECT kvnull
	if err == nil {
		res.Body.Close()
		return nil
	}
	tmpl, err := r.get(ctx, "env-settings/_template")
	if err != nil {
		return err
	}
	return r.put(ctx, key, tmpl, 0)
}

// FetchStatuses reads the status of up to 100 builds in one request.
func (r *Runner) FetchStatuses(ctx context.Context, project string, ids []string) (map[string]string, error) {
	out := map[string]string{}
	for start := 0; start < len(ids); start += 100 {
		end := min(start+100, len(ids))
		keys := make([]string, 0, end-start)
		for _, id := range ids[start:end] {
			keys = append(keys, fmt.Sprintf("builds/%s/%s/status", project, id))
		}
		res, err := r.client.KV.Namespaces.BulkGet(ctx, r.ns, kv.NamespaceBulkGetParams{AccountID: cloudflare.F(r.accountID), Keys: cloudflare.F(keys)})
		if err != nil {
			return nil, err
		}
		if m, ok := res.Values.(map[string]kv.NamespaceBulkGetResponseWorkersKVBulkGetResultValuesUnion); ok {
			for k, v := range m {
				if s, ok := v.(shared.UnionString); ok {
					out[k] = string(s)
				}
			}
		}
	}
	return out, nil
}

// WarmShards reads the whole routing shard table.
func (r *Runner) WarmShards(ctx context.Context) (int, error) {
	keys := make([]string, 0, 250)
	for i := 0; i < 250; i++ {
		keys = append(keys, fmt.Sprintf("shards/%05d", i))
	}
	res, err := r.client.KV.Namespaces.BulkGet(ctx, r.ns, kv.NamespaceBulkGetParams{AccountID: cloudflare.F(r.accountID), Keys: cloudflare.F(keys)}) // EXPECT kvlimits
	if err != nil {
		return 0, err
	}
	m, _ := res.Values.(map[string]kv.NamespaceBulkGetResponseWorkersKVBulkGetResultValuesUnion)
	return len(m), nil
}
