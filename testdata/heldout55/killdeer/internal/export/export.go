// Package export writes the nightly dump of player profiles from KV to the
// analytics sinks.
package export

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v2"

	"github.com/killdeer-games/killdeer/internal/cfkv"
)

// Profile is one exported player record.
type Profile struct {
	PlayerID string          `json:"player_id"`
	Data     json.RawMessage `json:"data"`
	Meta     map[string]any  `json:"meta,omitempty"`
}

// Sink receives exported profiles.
type Sink interface {
	Write(ctx context.Context, p Profile) error
	Flush() error
}

// JSONLines writes one JSON document per line.
type JSONLines struct{ W *bufio.Writer }

func (j JSONLines) Write(_ context.Context, p Profile) error {
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	if _, err := j.W.Write(b); err != nil {
		return err
	}
	return j.W.WriteByte('\n')
}

func (j JSONLines) Flush() error { return j.W.Flush() }

// IDs writes only player ids, for the deletion-request reconciler.
type IDs struct{ W io.Writer }

func (i IDs) Write(_ context.Context, p Profile) error {
	_, err := fmt.Fprintln(i.W, p.PlayerID)
	return err
}

func (IDs) Flush() error { return nil }

// Discard counts profiles; used for dry runs.
type Discard struct{ N *int }

func (d Discard) Write(context.Context, Profile) error { *d.N++; return nil }
func (Discard) Flush() error                           { return nil }

const profilePrefix = "profile:"

// Result summarises a run.
type Result struct {
	Exported int
	Failed   map[string]error
}

func fanOut(ctx context.Context, sinks []Sink, p Profile, failed map[string]error) {
	for i, s := range sinks {
		if err := s.Write(ctx, p); err != nil {
			failed[fmt.Sprintf("%s@sink%d", p.PlayerID, i)] = err
		}
	}
}

// Nightly exports every profile with its stored value.
func Nightly(ctx context.Context, store *cfkv.Store, sinks []Sink) (Result, error) {
	res := Result{Failed: map[string]error{}}
	params := store.ListParams(profilePrefix, 1000)
	for {
		page, err := store.Keys.List(ctx, store.ID, params) // EXPECT kvlist
		if err != nil {
			return res, err
		}
		for _, k := range page.Result {
			raw, err := store.GetBytes(ctx, k.Name) // EXPECT kvlist
			if err != nil {
				res.Failed[k.Name] = err
				continue
			}
			fanOut(ctx, sinks, Profile{PlayerID: strings.TrimPrefix(k.Name, profilePrefix), Data: raw, Meta: k.Metadata}, res.Failed)
			res.Exported++
		}
		cursor := page.ResultInfo.Cursor
		if err := store.Put(ctx, "export:checkpoint", []byte(cursor), nil); err != nil { // EXPECT kvhotkey
			log.Printf("export checkpoint: %v", err)
		}
		if cursor == "" {
			break
		}
		params.Cursor = cloudflare.F(cursor)
	}
	var errs []error
	for _, s := range sinks {
		errs = append(errs, s.Flush())
	}
	return res, errors.Join(errs...)
}

// Budget bounds a metadata-only export.
type Budget struct {
	Pages    int
	Deadline time.Duration
}

// MetadataOnly exports the small profile summary kept in key metadata, so no
// value reads are needed. It stops after the page budget or deadline and
// returns the cursor to resume from.
func MetadataOnly(ctx context.Context, store *cfkv.Store, sinks []Sink, b Budget, cursor string) (string, Result, error) {
	ctx, cancel := context.WithTimeout(ctx, b.Deadline)
	defer cancel()
	res := Result{Failed: map[string]error{}}
	params := store.ListParams(profilePrefix, 1000)
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	for range b.Pages {
		page, err := store.Keys.List(ctx, store.ID, params)
		if err != nil {
			return cursor, res, err
		}
		for _, k := range page.Result {
			fanOut(ctx, sinks, Profile{PlayerID: strings.TrimPrefix(k.Name, profilePrefix), Meta: k.Metadata}, res.Failed)
			res.Exported++
		}
		cursor = page.ResultInfo.Cursor
		if cursor == "" {
			return "", res, nil
		}
		params.Cursor = cloudflare.F(cursor)
	}
	return cursor, res, nil
}

// Deleted lists profiles flagged for deletion. The flag lives in metadata.
func Deleted(ctx context.Context, store *cfkv.Store) ([]string, error) {
	iter := store.Keys.ListAutoPaging(ctx, store.ID, store.ListParams(profilePrefix, 1000)) // EXPECT kvlist
	var out []string
	for iter.Next() {
		k := iter.Current()
		if del, _ := k.Metadata["deleted"].(bool); del {
			out = append(out, strings.TrimPrefix(k.Name, profilePrefix))
		}
	}
	return out, iter.Err()
}

// Recent lists up to max profiles touched after since, using the
// "updated" metadata field.
func Recent(ctx context.Context, store *cfkv.Store, since time.Time, max int) ([]string, error) {
	iter := store.Keys.ListAutoPaging(ctx, store.ID, store.ListParams(profilePrefix, 1000)) // DEBATABLE kvlist
	var out []string
	for iter.Next() && len(out) < max {
		k := iter.Current()
		if ts, ok := k.Metadata["updated"].(float64); ok && int64(ts) > since.Unix() {
			out = append(out, strings.TrimPrefix(k.Name, profilePrefix))
		}
	}
	return out, iter.Err()
}

// retentionNotice is attached to each export manifest for auditors.
const retentionNotice = "Player profile exports are personal data under the studio's data protection policy. " +
	"They are produced nightly for analytics and for handling access and deletion requests. " +
	"Files must be stored only in the analytics bucket in the EU region, encrypted at rest with the analytics key, " +
	"and must not be copied to laptops, shared drives, chat tools, tickets or third-party services. " +
	"Access is limited to the analytics and trust-and-safety groups and every access is logged. " +
	"Exports are deleted automatically after thirty days; a legal hold requires written approval from the " +
	"data protection officer and must be recorded in the retention register with its reason and end date. " +
	"Deletion requests received after an export was produced must be applied to that export within seventy-two hours. " +
	"Questions about this notice go to the privacy team through the internal help desk, not to individual engineers. " +
	"Derived aggregates that cannot identify a player may be kept longer if the analytics lead signs off on them. " +
	"This notice is reviewed every quarter by the privacy team together with the analytics lead."

// WriteManifest records a finished run.
func WriteManifest(ctx context.Context, store *cfkv.Store, day string, res Result) error {
	body, _ := json.Marshal(map[string]any{"day": day, "exported": res.Exported, "failed": len(res.Failed)})
	_, err := store.Values.Update(ctx, store.ID, "export:manifest:"+day, store.UpdateParams(body,
		`{"notice":"`+retentionNotice+`","schema":3}`, // EXPECT kvlimits
	))
	if err != nil {
		return err
	}
	return store.Put(ctx, "stats:players:exported", []byte(fmt.Sprint(res.Exported)), nil) // DEBATABLE kvcounter|kvhotkey
}
