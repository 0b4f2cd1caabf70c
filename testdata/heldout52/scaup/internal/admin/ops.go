// Package admin implements the operations behind the scaupadm CLI.
package admin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v5/kv"

	"scaup/internal/cfkv"
	"scaup/internal/config"
	"scaup/internal/kverr"
)

// importBatch is how many pairs go into one bulk request.
const importBatch = 20_000

// migrateBatch is the chunk size of the legacy migration.
const migrateBatch = 5_000

// licenseNotice is attached to every imported episode so that the edge can
// show it without fetching the value.
const licenseNotice = `This episode is distributed under the Creative Commons Attribution-NonCommercial-NoDerivatives 4.0 International licence (CC BY-NC-ND 4.0). ` +
	`You are free to share — copy and redistribute the material in any medium or format — under the following terms. ` +
	`Attribution: you must give appropriate credit, provide a link to the licence, and indicate if changes were made. You may do so in any reasonable manner, but not in any way that suggests the licensor endorses you or your use. ` +
	`NonCommercial: you may not use the material for commercial purposes. NoDerivatives: if you remix, transform, or build upon the material, you may not distribute the modified material. ` +
	`No additional restrictions: you may not apply legal terms or technological measures that legally restrict others from doing anything the licence permits. ` +
	`Notices: you do not have to comply with the licence for elements of the material in the public domain or where your use is permitted by an applicable exception or limitation. ` +
	`No warranties are given. The licence may not give you all of the permissions necessary for your intended use. For example, other rights such as publicity, privacy, or moral rights may limit how you use the material. ` +
	`Music beds are licensed separately from the publisher's library and are excluded from this grant.`

// Ops bundles the namespaces the admin CLI works on.
type Ops struct {
	Meta  *cfkv.Store // episodes, slugs, settings
	Auth  *cfkv.Store // sessions, feed tokens
	Jobs  *cfkv.Store
	Cfg   config.Config
	Now   func() time.Time
	Audit func(format string, args ...any)
}

// keyOp is one per-key operation the CLI can apply in bulk.
type keyOp struct {
	name string
	run  func(*cfkv.Store, context.Context, string) error
}

var keyOps = []keyOp{
	{"delete", (*cfkv.Store).Delete},
	{"check", func(s *cfkv.Store, ctx context.Context, key string) error {
		_, err := s.Get(ctx, key)
		return err
	}},
}

// Apply runs the named per-key operation on every key of a namespace.
func (o *Ops) Apply(ctx context.Context, st *cfkv.Store, name string, keys []string) error {
	i := slices.IndexFunc(keyOps, func(k keyOp) bool { return k.name == name })
	if i < 0 {
		return fmt.Errorf("unknown operation %q", name)
	}
	var errs []error
	for _, k := range keys {
		if err := keyOps[i].run(st, ctx, k); err != nil && !kverr.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("%s %s: %w", name, k, err))
		}
	}
	return errors.Join(errs...)
}

// SignOutEverywhere ends every session of a listener after a password or
// e-mail change. Session IDs come from the accounts database.
func (o *Ops) SignOutEverywhere(ctx context.Context, network string, sessionIDs []string) error {
	keys := make([]string, 0, len(sessionIDs))
	for _, id := range sessionIDs {
		keys = append(keys, network+":sess:"+id)
	}
	o.Audit("sign-out %d sessions in %s", len(keys), network)
	return o.Apply(ctx, o.Auth, "delete", keys) // EXPECT kvsession
}

// RevokeFeedTokens blocks all feed tokens of a refunded subscriber.
func (o *Ops) RevokeFeedTokens(ctx context.Context, network string, tokens []string) error {
	keys := make([]string, 0, len(tokens))
	for _, t := range tokens {
		keys = append(keys, network+":feedtok:"+t)
	}
	return o.Auth.BulkDelete(ctx, keys) // EXPECT kvsession
}

// ImportEpisode is one row of a catalogue import.
type ImportEpisode struct {
	ID     string `json:"id"`
	ShowID string `json:"show_id"`
	Title  string `json:"title"`
	Audio  string `json:"audio_url"`
}

// Import writes a catalogue export into the metadata namespace.
func (o *Ops) Import(ctx context.Context, network string, rows []ImportEpisode) error {
	items := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(rows))
	for _, r := range rows {
		b, err := json.Marshal(r)
		if err != nil {
			return err
		}
		items = append(items, cfkv.Pair(network+":ep:"+r.ID, b, 0))
	}
	for i := 0; i < len(items); i += importBatch {
		if err := o.Meta.BulkPut(ctx, items[i:min(i+importBatch, len(items))]); err != nil { // EXPECT kvlimits
			return fmt.Errorf("import batch at %d: %w", i, err)
		}
		mark := strconv.Itoa(min(i+importBatch, len(items)))
		if err := o.Meta.Put(ctx, "import:checkpoint", []byte(mark)); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// Migrate copies legacy "episode/<id>" records to the current layout.
func (o *Ops) Migrate(ctx context.Context, network string, legacy map[string][]byte) (int, error) {
	items := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(legacy))
	for id, v := range legacy {
		items = append(items, cfkv.Pair(network+":ep:"+id, v, 0))
	}
	n := 0
	for chunk := range slices.Chunk(items, migrateBatch) {
		if err := o.Meta.BulkPut(ctx, chunk); err != nil {
			return n, err
		}
		n += len(chunk)
	}
	return n, o.Meta.Put(ctx, network+":migrated-at", []byte(o.Now().UTC().Format(time.RFC3339)))
}

// Annotate writes an imported episode with the licence in its metadata.
func (o *Ops) Annotate(ctx context.Context, network string, ep ImportEpisode) error {
	b, err := json.Marshal(ep)
	if err != nil {
		return err
	}
	return o.Meta.PutMeta(ctx, network+":ep:"+ep.ID, b,
		map[string]string{"license": licenseNotice, "by": "scaupadm"}, // EXPECT kvlimits
		30*24*time.Hour)
}

// Tag writes an imported episode with short labels in its metadata.
func (o *Ops) Tag(ctx context.Context, network string, ep ImportEpisode, tags []string) error {
	b, err := json.Marshal(ep)
	if err != nil {
		return err
	}
	return o.Meta.PutMeta(ctx, network+":ep:"+ep.ID, b, map[string]string{"tags": strings.Join(tags, ",")}, 30*24*time.Hour)
}

// ClaimVanity reserves a vanity feed host name (<name>.scaup.fm) for a show.
func (o *Ops) ClaimVanity(ctx context.Context, name, showID string) error {
	key := "vanity:" + strings.ToLower(name)
	cur, err := o.Meta.Get(ctx, key)
	switch {
	case err == nil:
		return &kverr.ConflictError{Key: key, Holder: string(cur)}
	case !kverr.IsNotFound(err):
		return err
	}
	return o.Meta.Put(ctx, key, []byte(showID)) // EXPECT kvrace
}

// SetVanity points a vanity name at a show unconditionally (support tool).
func (o *Ops) SetVanity(ctx context.Context, name, showID string) error {
	o.Audit("vanity %s -> %s", name, showID)
	return o.Meta.Put(ctx, "vanity:"+strings.ToLower(name), []byte(showID))
}

// Settings are a network's publishing defaults.
type Settings struct {
	Explicit  bool   `json:"explicit"`
	Language  string `json:"language"`
	Copyright string `json:"copyright"`
}

// EnsureSettings writes default settings for a network that has none.
func (o *Ops) EnsureSettings(ctx context.Context, network string) (Settings, error) {
	key := network + ":settings"
	raw, err := o.Meta.Get(ctx, key) // EXPECT kvnull
	if err == nil {
		var s Settings
		return s, json.Unmarshal(raw, &s)
	}
	s := Settings{Language: "en", Copyright: "All rights reserved"}
	b, _ := json.Marshal(s)
	return s, o.Meta.Put(ctx, key, b)
}

// LoadSettings reads a network's settings, falling back to defaults when
// none were saved.
func (o *Ops) LoadSettings(ctx context.Context, network string) (Settings, error) {
	raw, err := o.Meta.Get(ctx, network+":settings")
	s := Settings{Language: "en"}
	if kverr.IsNotFound(err) {
		return s, nil
	}
	if err != nil {
		return s, err
	}
	return s, json.Unmarshal(raw, &s)
}

// Banner returns the network's announcement banner, if any.
func (o *Ops) Banner(ctx context.Context, network string) string {
	raw, _ := o.Meta.Get(ctx, network+":banner")
	if len(raw) > 0 { // EXPECT kvnull
		return string(raw)
	}
	return ""
}

// AppendNotesLog adds a line to an episode's editorial change log.
func (o *Ops) AppendNotesLog(ctx context.Context, network, episodeID, who, change string) error {
	key := network + ":noteslog:" + episodeID
	old, err := o.Meta.Get(ctx, key)
	if err != nil && !kverr.IsNotFound(err) {
		return err
	}
	line := fmt.Sprintf("%s %s: %s", o.Now().UTC().Format(time.RFC3339), who, change)
	return o.Meta.Put(ctx, key, []byte(string(old)+line+"\n")) // EXPECT kvrace
}

// ChargeUpload counts an upload against the network's monthly quota.
func (o *Ops) ChargeUpload(ctx context.Context, network string, limit int) error {
	key := "quota:uploads:" + network + ":" + o.Now().UTC().Format("200601")
	used := 0
	raw, err := o.Meta.Get(ctx, key)
	var nf *kverr.NotFoundError
	if err != nil && !errors.As(err, &nf) {
		return err
	}
	if err == nil {
		used, _ = strconv.Atoi(string(raw))
	}
	if used >= limit {
		return fmt.Errorf("upload quota of %d reached", limit)
	}
	return o.Meta.PutTTL(ctx, key, []byte(strconv.Itoa(used+1)), 40*24*time.Hour) // EXPECT kvcounter|kvrace
}

// PublishFlags writes the feature flags for every network in one request,
// once per deploy.
func (o *Ops) PublishFlags(ctx context.Context, flags map[string]map[string]bool) error {
	items := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(flags))
	for network, f := range flags {
		b, err := json.Marshal(f)
		if err != nil {
			return err
		}
		items = append(items, cfkv.Pair(network+":flags", b, 0))
	}
	return o.Meta.BulkPut(ctx, items)
}
