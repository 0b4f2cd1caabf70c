package legacy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"

	"github.com/motmot-energy/motmot/internal/choose"
	"github.com/motmot-energy/motmot/internal/keys"
	"github.com/motmot-energy/motmot/internal/kvv0"
)

const (
	flashSize      = 32 << 20
	cohortPageSize = 1000
	maxCohortPages = 20
)

// Cohort is a firmware rollout group.
type Cohort struct {
	Model   string   `json:"model"`
	Name    string   `json:"name"`
	Version string   `json:"version"`
	Devices []string `json:"devices"`
	Paused  bool     `json:"paused"`
}

// Rollouts manages firmware cohorts.
type Rollouts struct {
	KV *kvv0.Store
}

// AddDevice puts a device into a cohort.
func (r *Rollouts) AddDevice(ctx context.Context, model, cohort, deviceID string) error {
	key := keys.Cohort(model, cohort)
	c := Cohort{Model: model, Name: cohort}
	raw, err := r.KV.Get(ctx, key)
	if err != nil && !errors.Is(err, kvv0.ErrNotFound) {
		return err
	}
	if err == nil {
		if err := json.Unmarshal(raw, &c); err != nil {
			return err
		}
	}
	c.Devices = append(c.Devices, deviceID)
	body, _ := json.Marshal(c)
	return r.KV.Put(ctx, key, body) // EXPECT kvrace
}

// Define replaces a cohort wholesale from the release manifest.
func (r *Rollouts) Define(ctx context.Context, c Cohort) error {
	body, err := json.Marshal(c)
	if err != nil {
		return err
	}
	return r.KV.Put(ctx, keys.Cohort(c.Model, c.Name), body)
}

// StageImage uploads a firmware image padded to the flash size, so that
// devices can write it without resizing the partition.
func (r *Rollouts) StageImage(ctx context.Context, model, version string, image []byte) error {
	padded := make([]byte, flashSize)
	copy(padded, image)
	return r.KV.Put(ctx, fmt.Sprintf("fw:%[1]s:image:%[2]s", model, version), padded) // EXPECT kvlimits
}

// keyCursor walks the keys under a prefix page by page.
type keyCursor struct {
	kv     *kvv0.Store
	ctx    context.Context
	prefix string
	limit  int
	page   []cloudflare.StorageKey
	i      int
	cursor string
	done   bool
	err    error
	pages  int
}

func (r *Rollouts) cursor(ctx context.Context, prefix string, limit int) *keyCursor {
	return &keyCursor{kv: r.KV, ctx: ctx, prefix: prefix, limit: limit, i: -1}
}

func (c *keyCursor) Next() bool {
	c.i++
	for c.i >= len(c.page) {
		if c.done || c.err != nil {
			return false
		}
		c.page, c.cursor, c.err = c.kv.Page(c.ctx, c.prefix, c.cursor, c.limit)
		c.pages++
		c.i = 0
		c.done = c.cursor == ""
	}
	return true
}

func (c *keyCursor) Key() string { return c.page[c.i].Name }
func (c *keyCursor) Err() error  { return c.err }

// Cohorts returns the cohort names of a model, reading at most
// maxCohortPages pages.
func (r *Rollouts) Cohorts(ctx context.Context, model string) ([]string, error) {
	c := r.cursor(ctx, "fw:"+model+":cohort:", cohortPageSize)
	var out []string
	for c.Next() {
		out = append(out, strings.TrimPrefix(c.Key(), "fw:"+model+":cohort:"))
		if c.pages >= maxCohortPages {
			break
		}
	}
	return out, c.Err()
}

// DevicesOf collects every device of every cohort of a model.
func (r *Rollouts) DevicesOf(ctx context.Context, model string) ([]string, error) {
	c := r.cursor(ctx, "fw:"+model+":cohort:", cohortPageSize) // EXPECT kvlist
	var devices []string
	for c.Next() {
		raw, err := r.KV.Get(ctx, c.Key()) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		var co Cohort
		if err := json.Unmarshal(raw, &co); err != nil {
			return nil, err
		}
		devices = append(devices, co.Devices...)
	}
	return devices, c.Err()
}

// PauseAll pauses every cohort of a model.
func (r *Rollouts) PauseAll(ctx context.Context, model string) error {
	prefix := "fw:" + model + ":cohort:"
	var names []string
	cursor := ""
	for {
		res, err := r.KV.API.ListWorkersKVKeys(ctx, r.KV.RC, cloudflare.ListWorkersKVsParams{ // EXPECT kvlist
			NamespaceID: r.KV.NamespaceID,
			Prefix:      choose.If(cursor == "", prefix, ""),
			Cursor:      cursor,
		})
		if err != nil {
			return err
		}
		for _, k := range res.Result {
			names = append(names, k.Name)
		}
		if res.Cursor == "" {
			break
		}
		cursor = res.Cursor
	}
	return r.markPaused(ctx, names)
}

func (r *Rollouts) markPaused(ctx context.Context, names []string) error {
	kvs := make([]*cloudflare.WorkersKVPair, 0, len(names))
	for _, n := range names {
		kvs = append(kvs, &cloudflare.WorkersKVPair{Key: n + ":paused", Value: "1", ExpirationTTL: int((7 * 24 * time.Hour).Seconds())})
	}
	for len(kvs) > 0 {
		n := min(len(kvs), 10_000)
		if _, err := r.KV.API.WriteWorkersKVEntries(ctx, r.KV.RC, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: r.KV.NamespaceID, KVs: kvs[:n]}); err != nil {
			return err
		}
		kvs = kvs[n:]
	}
	return nil
}

// Versions lists the staged image versions of a model.
func (r *Rollouts) Versions(ctx context.Context, model string) ([]string, error) {
	var out []string
	cursor := ""
	for page := 0; page < 5; page++ {
		keys, next, err := r.KV.Page(ctx, "fw:"+model+":image:", cursor, cohortPageSize) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, k := range keys {
			out = append(out, strings.TrimPrefix(k.Name, "fw:"+model+":image:"))
		}
		if len(keys) == 0 {
			break
		}
		cursor = next
	}
	return out, nil
}

// Progress records each device's rollout state and the cohort's summary.
func (r *Rollouts) Progress(ctx context.Context, model, cohort string, states map[string]string) error {
	done := 0
	for dev, st := range states {
		if err := r.KV.PutTTL(ctx, "fw:state:"+dev, []byte(st), 30*24*time.Hour); err != nil {
			return err
		}
		if st == "installed" {
			done++
		}
		summary := fmt.Sprintf(`{"done":%d,"total":%d,"at":%q}`, done, len(states), time.Now().UTC().Format(time.RFC3339))
		if err := r.KV.Put(ctx, "fw:"+model+":summary:"+cohort, []byte(summary)); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// LatestFor returns the version offered to a cohort's devices.
func (r *Rollouts) LatestFor(ctx context.Context, model, cohort string) (string, error) {
	raw, err := r.KV.Get(ctx, keys.Cohort(model, cohort))
	if errors.Is(err, kvv0.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	var c Cohort
	if err := json.Unmarshal(raw, &c); err != nil {
		return "", err
	}
	return choose.If(c.Paused, "", c.Version), nil
}

// ImagesPage returns one short page of staged images for the release
// dashboard, with the cursor for the next one.
func (r *Rollouts) ImagesPage(ctx context.Context, model, cursor string) ([]string, string, error) {
	res, err := r.KV.API.ListWorkersKVKeys(ctx, r.KV.RC, cloudflare.ListWorkersKVsParams{
		NamespaceID: r.KV.NamespaceID,
		Prefix:      "fw:" + model + ":image:",
		Cursor:      cursor,
		Limit:       5, // EXPECT kvlimits
	})
	if err != nil {
		return nil, "", err
	}
	out := make([]string, 0, len(res.Result))
	for _, k := range res.Result {
		out = append(out, k.Name)
	}
	return out, res.Cursor, nil
}
