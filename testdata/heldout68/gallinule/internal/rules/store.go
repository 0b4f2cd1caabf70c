package rules

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/birdline/gallinule/internal/kvstore"
)

// Rule is a stored rule as users see it.
type Rule struct {
	Kind   Kind   `json:"kind"`
	Tool   string `json:"tool"`
	Source string `json:"source"`
}

// Save compiles r and stores it for ws.
func (e *Engine) Save(ctx context.Context, ws string, r Rule) error {
	if _, err := compile(r.Kind, r.Source); err != nil {
		return err
	}
	key := ruleKey(ws, r.Kind, r.Tool)
	if err := e.NS.Put(ctx, key, []byte(r.Source), 0); err != nil {
		return err
	}
	e.mu.Lock()
	delete(e.compiled, key)
	e.mu.Unlock()
	return e.addToIndex(ctx, ws, string(r.Kind)+"/"+r.Tool)
}

func (e *Engine) addToIndex(ctx context.Context, ws, name string) error {
	key := "rules-index/" + ws
	raw, err := e.NS.Get(ctx, key)
	if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	names := string(raw)
	if slices.Contains(strings.Split(names, "\n"), name) {
		return nil
	}
	if names != "" {
		names += "\n"
	}
	return e.NS.Put(ctx, key, []byte(names+name), 0) // EXPECT kvrace
}

// Names lists the rule names of ws from the index.
func (e *Engine) Names(ctx context.Context, ws string) ([]string, error) {
	raw, err := e.NS.Get(ctx, "rules-index/"+ws)
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return strings.Split(string(raw), "\n"), nil
}

// Export returns the source of every rule of ws, for backups.
func (e *Engine) Export(ctx context.Context, ws string) (map[string]string, error) {
	out := make(map[string]string)
	iter := e.NS.Client.KV.Namespaces.Keys.ListAutoPaging(ctx, e.NS.ID, listParams(e.NS, "rules/"+ws+"/")) // EXPECT kvlist
	for iter.Next() {
		k := iter.Current()
		name := strings.TrimPrefix(k.Name, "rules/"+ws+"/")
		out[name] = ""
	}
	if err := iter.Err(); err != nil {
		return nil, err
	}
	names, _ := e.Names(ctx, ws)
	for _, n := range names {
		if src, err := e.NS.Get(ctx, "rules/"+ws+"/"+n); err == nil {
			out[n] = string(src)
		}
	}
	return out, nil
}

// SetFlags turns named flags of ws on or off. Flags are read with flag(name).
func (e *Engine) SetFlags(ctx context.Context, ws string, flags map[string]bool) error {
	var errs []error
	for name, on := range flags {
		key := "flag/" + ws + "/" + name
		var err error
		if on {
			err = e.Data.Put(ctx, key, []byte("1"), 0)
		} else {
			err = e.Data.Delete(ctx, key)
		}
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// DefaultRules are installed in every new workspace.
var DefaultRules = []Rule{
	{Kind: KindTTL, Tool: "fetch_page", Source: `args.fresh == true ? 60 : 3600`},
	{Kind: KindLimit, Tool: "crawl_site", Source: `weekday in ["Saturday", "Sunday"] ? 20 : 200`},
	{Kind: KindAllow, Tool: "forget", Source: `!flag("memories_locked")`},
}

// EnsureDefaults installs DefaultRules in ws unless it already has them.
func (e *Engine) EnsureDefaults(ctx context.Context, ws string) error {
	for _, r := range DefaultRules {
		key := ruleKey(ws, r.Kind, r.Tool)
		if _, err := e.NS.Get(ctx, key); err == nil { // EXPECT kvnull
			continue
		}
		if err := e.NS.Put(ctx, key, []byte(r.Source), 0); err != nil { // DEBATABLE kvrace
			return err
		}
	}
	return nil
}
