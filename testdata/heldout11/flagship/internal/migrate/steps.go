package migrate

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"example.com/flagship/internal/flags"
	"example.com/flagship/internal/kvkey"
	"example.com/flagship/internal/legacykv"
)

// renamePrefix moves the pre-environment layout flags/<key> to
// flag/production/<key>.
func renamePrefix(ctx context.Context, e *Env) error {
	const oldPrefix = "flags/"
	cursor := ""
	for {
		names, next, err := e.Legacy.ListPage(ctx, e.Namespace, oldPrefix, cursor, 1000) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(names) == 0 {
			return nil
		}
		values, err := e.Bulk.GetMany(ctx, names)
		if err != nil {
			return err
		}
		var pairs []legacykv.Pair
		for _, n := range names {
			if v, ok := values[n]; ok {
				pairs = append(pairs, legacykv.Pair{Key: kvkey.Flag("production", strings.TrimPrefix(n, oldPrefix)).String(), Value: v})
			}
		}
		if err := e.Legacy.BulkWrite(ctx, e.Namespace, pairs); err != nil {
			return err
		}
		if err := e.Legacy.DeleteMany(ctx, e.Namespace, names); err != nil {
			return err
		}
		cursor = next
	}
}

// splitTargeting converts each environment's combined targeting document
// into per-environment segment rules.
func splitTargeting(ctx context.Context, e *Env) error {
	for _, env := range e.Envs {
		var old struct {
			Segments map[string][]string `json:"segments"`
			Rules    []struct{ Flag, Segment, Variant string }
		}
		raw, err := e.Legacy.Read(ctx, e.Namespace, "targeting/"+env) // EXPECT kvnull
		if err == nil {
			if err := json.Unmarshal(raw, &old); err != nil {
				return err
			}
		}
		rules := []map[string]any{}
		for _, r := range old.Rules {
			rules = append(rules, map[string]any{"flag": r.Flag, "members": old.Segments[r.Segment], "variant": r.Variant})
		}
		b, _ := json.Marshal(rules)
		if err := e.Legacy.Write(ctx, e.Namespace, "segment-rules/"+env, b); err != nil {
			return err
		}
	}
	return nil
}

// archiveRetired keeps a copy of every archived flag for the retention
// period, after which KV drops it.
func archiveRetired(ctx context.Context, e *Env) error {
	for _, env := range e.Envs {
		defs, _, err := flags.Load(ctx, e.Store, e.Bulk, env)
		if err != nil {
			return err
		}
		var pairs []legacykv.Pair
		for _, f := range defs {
			if f.Archived {
				b, _ := json.Marshal(f)
				pairs = append(pairs, legacykv.Pair{
					Key:       kvkey.Key("archive").Child(env, f.Key).String(),
					Value:     string(b),
					ExpiresAt: time.Now().Add(90 * 24 * time.Hour).UnixMilli(), // EXPECT kvttl
				})
			}
		}
		if len(pairs) > 0 {
			if err := e.Legacy.BulkWrite(ctx, e.Namespace, pairs); err != nil {
				return err
			}
		}
	}
	return nil
}

// loadTestFlags is the size of the synthetic environment for the SDK load test.
const loadTestFlags = 12_000

// benchBlobSize is the payload of the SDK's large-download benchmark.
const benchBlobSize = 30 << 20

// SeedLoadTest fills env with synthetic flags that expire after a day.
func SeedLoadTest(ctx context.Context, e *Env, env string) (int, error) {
	pairs := make([]legacykv.Pair, 0, loadTestFlags)
	for i := 0; i < loadTestFlags; i++ {
		f := flags.Flag{
			Key:      fmt.Sprintf("loadtest-%05d", i),
			Enabled:  i%2 == 0,
			Variants: []flags.Variant{{Name: "off", Value: false}, {Name: "on", Value: true}},
			Default:  "off",
			Rollout:  &flags.Rollout{Weights: map[string]int{"off": 50, "on": 50}},
		}
		b, _ := json.Marshal(f)
		pairs = append(pairs, legacykv.Pair{Key: kvkey.Flag(env, f.Key).String(), Value: string(b), TTL: 24 * time.Hour})
	}
	if err := e.Legacy.BulkWrite(ctx, e.Namespace, pairs); err != nil { // EXPECT kvlimits
		return 0, err
	}
	return len(pairs), nil
}

// SeedBenchBlob writes the large-download benchmark payload.
func SeedBenchBlob(ctx context.Context, e *Env) error {
	_, err := e.CF.KV.Namespaces.Values.Update(ctx, e.Namespace, "bench/blob", kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(e.Account),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(strings.Repeat("x", benchBlobSize))), // EXPECT kvlimits
		ExpirationTTL: cloudflare.F(float64(6 * 60 * 60)),
	})
	return err
}
