package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/trogon-edge/trogon/internal/kvrest"
	"github.com/trogon-edge/trogon/internal/site"
)

// ToggleCmd groups the toggle subcommands.
type ToggleCmd struct {
	Set        ToggleSetCmd        `cmd:"" help:"Turn a toggle on or off."`
	Unset      ToggleUnsetCmd      `cmd:"" help:"Remove a toggle."`
	Experiment ToggleExperimentCmd `cmd:"" help:"Turn a toggle on for a limited time."`
	Sync       ToggleSyncCmd       `cmd:"" help:"Make the site's toggles match a JSON file."`
	Ls         ToggleLsCmd         `cmd:"" help:"List toggles with their settings."`
}

// editToggles loads the compiled toggle map the Worker reads, lets fn
// change it, and stores it back.
func editToggles(ctx *Context, store *kvrest.Store, siteID string, fn func(map[string]site.Toggle)) error {
	key := site.TogglesKey(siteID)
	toggles := map[string]site.Toggle{}
	raw, err := store.Get(ctx, key)
	if err != nil && !errors.Is(err, kvrest.ErrNotFound) {
		return err
	}
	if err == nil {
		if err := json.Unmarshal(raw, &toggles); err != nil {
			return fmt.Errorf("toggles of %s: %w", siteID, err)
		}
	}
	fn(toggles)
	body, err := json.Marshal(toggles)
	if err != nil {
		return err
	}
	return store.Put(ctx, key, string(body), 0) // EXPECT kvrace
}

type ToggleSetCmd struct {
	Site    string `arg:""`
	Name    string `arg:""`
	Off     bool   `help:"Turn the toggle off instead of on."`
	Percent int    `help:"Roll out to this percentage of visitors." default:"100"`
}

func (c *ToggleSetCmd) Run(ctx *Context, store *kvrest.Store) error {
	return editToggles(ctx, store, c.Site, func(m map[string]site.Toggle) {
		m[c.Name] = site.Toggle{Name: c.Name, Enabled: !c.Off, Percent: c.Percent}
	})
}

type ToggleUnsetCmd struct {
	Site string `arg:""`
	Name string `arg:""`
}

func (c *ToggleUnsetCmd) Run(ctx *Context, store *kvrest.Store) error {
	return editToggles(ctx, store, c.Site, func(m map[string]site.Toggle) { delete(m, c.Name) })
}

// ToggleExperimentCmd writes a per-toggle key that expires by itself.
type ToggleExperimentCmd struct {
	Site string        `arg:""`
	Name string        `arg:""`
	For  time.Duration `default:"30s" help:"How long the experiment runs."`
}

func (c *ToggleExperimentCmd) Run(ctx *Context, store *kvrest.Store) error {
	body, _ := json.Marshal(site.Toggle{Name: c.Name, Enabled: true, Note: "experiment"})
	return store.Put(ctx, site.ToggleKey(c.Site, c.Name), string(body), c.For) // DEBATABLE kvttl
}

// ToggleSyncCmd applies a toggles file, keeping the compiled map current
// after each toggle so a failure halfway leaves a consistent site.
type ToggleSyncCmd struct {
	Site string `arg:""`
	File string `arg:"" type:"existingfile"`
}

func (c *ToggleSyncCmd) Run(ctx *Context, store *kvrest.Store) error {
	data, err := os.ReadFile(c.File)
	if err != nil {
		return err
	}
	var want []site.Toggle
	if err := json.Unmarshal(data, &want); err != nil {
		return err
	}
	compiled := map[string]site.Toggle{}
	for _, t := range want {
		body, _ := json.Marshal(t)
		if err := store.Put(ctx, site.ToggleKey(c.Site, t.Name), string(body), 0); err != nil {
			return err
		}
		compiled[t.Name] = t
		all, _ := json.Marshal(compiled)
		if err := store.Put(ctx, site.TogglesKey(c.Site), string(all), 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	fmt.Fprintf(ctx.Out, "synced %d toggles\n", len(want))
	return nil
}

type ToggleLsCmd struct {
	Site     string `arg:""`
	MaxPages int    `default:"10" help:"Stop after this many pages of 1,000 keys."`
}

func (c *ToggleLsCmd) Run(ctx *Context, store *kvrest.Store) error {
	prefix := site.PrefixToggles + c.Site + "/"
	cursor := ""
	for page := 0; page < c.MaxPages; page++ {
		keys, next, err := store.Page(ctx, prefix, cursor, 1000)
		if err != nil {
			return err
		}
		for _, k := range keys {
			raw, err := store.Get(ctx, k.Name) // EXPECT kvlist
			if err != nil {
				return err
			}
			var t site.Toggle
			_ = json.Unmarshal(raw, &t)
			fmt.Fprintf(ctx.Out, "%-30s %-5v %3d%% %s\n", strings.TrimPrefix(k.Name, prefix), t.Enabled, t.Percent, t.Note)
		}
		if next == "" {
			return nil
		}
		cursor = next
	}
	return nil
}
