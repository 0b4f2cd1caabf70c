package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	cfv0 "github.com/cloudflare/cloudflare-go"

	"example.com/ops/internal/config"
	"example.com/ops/internal/kvstore"
)

// Release is one deploy of a service.
type Release struct {
	Version string    `json:"version"`
	Commit  string    `json:"commit"`
	At      time.Time `json:"at"`
}

const keepReleases = 20

// RecordRelease is called by the deploy pipeline once a version is live. The
// edge worker reads release:<svc>:current to set its asset prefix.
func (r *Runner) RecordRelease(ctx context.Context, service, version, commit string) error {
	if err := r.Edge.Set(ctx, "release:"+service+":current", []byte(version), 0); err != nil {
		return err
	}

	histKey := "release:" + service + ":history"
	var history []Release
	raw, err := r.Edge.Get(ctx, histKey)
	switch {
	case err == nil:
		if err := json.Unmarshal(raw, &history); err != nil {
			return fmt.Errorf("decode %s: %w", histKey, err)
		}
	case !errors.Is(err, kvstore.ErrNotFound):
		return err
	}
	history = append(history, Release{Version: version, Commit: commit, At: time.Now().UTC()})
	if len(history) > keepReleases {
		history = history[len(history)-keepReleases:]
	}
	b, err := json.Marshal(history)
	if err != nil {
		return err
	}
	return r.Edge.Set(ctx, histKey, b, 0) // EXPECT kvrace
}

func appendNote(notes []byte, version, line string) string {
	entry := fmt.Sprintf("%s %s: %s", time.Now().UTC().Format("2006-01-02"), version, strings.TrimSpace(line))
	if len(notes) == 0 {
		return entry
	}
	return string(notes) + "\n" + entry
}

// AddDeployNote appends a line to the plain-text notes shown on the internal
// status page.
func (r *Runner) AddDeployNote(ctx context.Context, service, version, line string) error {
	key := "notes:" + service
	notes, err := r.Legacy.GetWorkersKV(ctx, r.RC, cfv0.GetWorkersKVParams{NamespaceID: config.NamespaceEdge, Key: key})
	var nf *cfv0.NotFoundError
	if err != nil && !errors.As(err, &nf) {
		return err
	}
	_, err = r.Legacy.WriteWorkersKVEntry(ctx, r.RC, cfv0.WriteWorkersKVEntryParams{ // EXPECT kvrace
		NamespaceID: config.NamespaceEdge,
		Key:         key,
		Value:       []byte(appendNote(notes, version, line)),
	})
	return err
}

// PromoteConfig copies the staging edge config of a service to production
// after the canary passed.
func (r *Runner) PromoteConfig(ctx context.Context, service string) error {
	staging, err := r.Edge.Get(ctx, "edge-config:staging:"+service)
	if err != nil {
		return fmt.Errorf("read staging config: %w", err)
	}
	var cfg map[string]any
	if err := json.Unmarshal(staging, &cfg); err != nil {
		return fmt.Errorf("staging config is not JSON: %w", err)
	}
	cfg["environment"] = "production"
	cfg["promoted_at"] = time.Now().UTC().Format(time.RFC3339)
	b, err := json.Marshal(cfg)
	if err != nil {
		return err
	}
	return r.Edge.Set(ctx, "edge-config:production:"+service, b, 0)
}
