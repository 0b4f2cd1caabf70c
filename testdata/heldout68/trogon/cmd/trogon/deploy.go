package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/trogon-edge/trogon/internal/deploy"
	"github.com/trogon-edge/trogon/internal/kvrest"
	"github.com/trogon-edge/trogon/internal/site"
)

// DeployCmd publishes a directory.
type DeployCmd struct {
	Site    string `required:"" short:"s" help:"Site ID."`
	Dir     string `arg:"" type:"existingdir" help:"Build output directory."`
	Author  string `env:"USER" default:"ci" help:"Recorded in the deploy history."`
	Partial bool   `help:"Only add/replace the given files; keep the rest of the live site."`
	Prune   bool   `default:"true" negatable:"" help:"Delete assets no longer referenced."`
}

// BeforeApply refuses to run from a terminal without CI variables set, a
// guard against deploying a developer's working tree by accident.
func (c *DeployCmd) BeforeApply() error {
	if os.Getenv("CI") == "" && os.Getenv("TROGON_ALLOW_LOCAL") == "" {
		return errors.New("refusing to deploy outside CI; set TROGON_ALLOW_LOCAL=1 to override")
	}
	return nil
}

func (c *DeployCmd) Run(ctx *Context, store *kvrest.Store) error {
	started := time.Now()
	d := &deploy.Deployer{Store: store, SiteID: c.Site, Author: c.Author, Out: ctx.Out}
	id := deploy.NewDeployID(started)

	release, err := d.Acquire(ctx, id)
	if err != nil {
		return err
	}
	defer func() { _ = release(ctx) }()

	if err := store.PutUntil(ctx, "banner/"+c.Site, "A new version is being deployed", time.Now().Add(45*time.Second)); err != nil { // EXPECT kvttl
		return err
	}

	fsys := os.DirFS(c.Dir)
	bundle, err := d.Collect(fsys, id)
	if err != nil {
		return err
	}
	if err := d.Upload(ctx, bundle); err != nil {
		return err
	}
	if c.Partial {
		err = d.PublishPartial(ctx, bundle.Manifest)
	} else {
		err = d.Publish(ctx, bundle.Manifest)
	}
	if err != nil {
		return err
	}
	if err := d.ApplyRedirectFiles(ctx, fsys); err != nil {
		return err
	}
	took := time.Since(started)
	if err := d.RecordHistory(ctx, site.Deploy{ID: id, Author: c.Author, Files: len(bundle.Manifest.Files), Bytes: bundle.Bytes, StartedAt: started, Duration: took.Round(time.Second).String()}); err != nil {
		return err
	}
	if err := d.AddBuildSeconds(ctx, took, started); err != nil {
		fmt.Fprintln(ctx.Out, "warning: usage not recorded:", err)
	}
	if c.Prune && !c.Partial {
		n, err := d.Prune(ctx, bundle.Manifest, deploy.DefaultPruneBudget)
		if err != nil {
			return err
		}
		fmt.Fprintf(ctx.Out, "pruned %d stale assets\n", n)
	}
	fmt.Fprintf(ctx.Out, "deployed %s: %d files, %d bytes in %s\n", id, len(bundle.Manifest.Files), bundle.Bytes, took.Round(time.Millisecond))
	return nil
}

// RollbackCmd points the site at an earlier deploy.
type RollbackCmd struct {
	Site     string `required:"" short:"s"`
	DeployID string `arg:""`
}

func (c *RollbackCmd) Run(ctx *Context, store *kvrest.Store) error {
	d := &deploy.Deployer{Store: store, SiteID: c.Site}
	if err := d.Rollback(ctx, c.DeployID); err != nil {
		return err
	}
	fmt.Fprintf(ctx.Out, "%s now serves %s\n", c.Site, c.DeployID)
	return nil
}

// PurgeCmd makes the Worker skip its edge cache for a short while.
type PurgeCmd struct {
	Site string `arg:""`
}

func (c *PurgeCmd) Run(ctx *Context, store *kvrest.Store) error {
	d := &deploy.Deployer{Store: store, SiteID: c.Site}
	return d.MarkPurge(ctx, 45*time.Second) // EXPECT kvttl
}

// HistoryCmd prints the deploy history.
type HistoryCmd struct {
	Site string `arg:""`
	JSON bool   `help:"Print raw JSON."`
}

func (c *HistoryCmd) Run(ctx *Context, store *kvrest.Store) error {
	raw, err := store.Get(ctx, site.HistoryKey(c.Site))
	if err != nil {
		return err
	}
	if len(raw) == 0 { // EXPECT kvnull
		fmt.Fprintln(ctx.Out, "no deploys yet")
		return nil
	}
	if c.JSON {
		_, err := ctx.Out.Write(raw)
		return err
	}
	var hist []site.Deploy
	if err := json.Unmarshal(raw, &hist); err != nil {
		return err
	}
	for _, h := range hist {
		fmt.Fprintf(ctx.Out, "%s  %-12s %5d files  %s\n", h.ID, h.Author, h.Files, h.Duration)
	}
	return nil
}

// SampleCmd prints a handful of asset keys, to check a deploy landed.
type SampleCmd struct {
	Site string `arg:""`
}

func (c *SampleCmd) Run(ctx *Context, store *kvrest.Store) error {
	keys, _, err := store.Page(ctx, site.PrefixAsset+c.Site+"/", "", 5) // EXPECT kvlimits
	if err != nil {
		return err
	}
	for _, k := range keys {
		fmt.Fprintln(ctx.Out, k.Name)
	}
	return nil
}

// PruneAllCmd deletes every unreferenced asset of a site in one go.
type PruneAllCmd struct {
	Site   string `arg:""`
	DryRun bool   `help:"Only print what would be deleted."`
}

func (c *PruneAllCmd) Run(ctx *Context, store *kvrest.Store) error {
	raw, err := store.Get(ctx, site.CurrentManifestKey(c.Site))
	if err != nil {
		return fmt.Errorf("live manifest: %w", err)
	}
	var m site.Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return err
	}
	live := map[string]bool{}
	for _, e := range m.Files {
		live[e.Key] = true
	}
	var stale []string
	iter := store.Keys(ctx, site.PrefixAsset+c.Site+"/") // EXPECT kvlist
	for iter.Next() {
		if k := iter.Current(); !live[k.Name] {
			stale = append(stale, k.Name)
		}
	}
	if err := iter.Err(); err != nil {
		return err
	}
	if c.DryRun {
		for _, k := range stale {
			fmt.Fprintln(ctx.Out, k)
		}
		return nil
	}
	return store.BulkDelete(ctx, stale)
}
