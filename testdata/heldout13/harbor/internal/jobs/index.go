package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"example.com/harbor/internal/storage"
)

// reindexBerths rebuilds the per-berth call counts of the planning board from
// the schedule index metadata.
func reindexBerths(ctx context.Context, env Env) error {
	calls := map[string]int{}
	iter := env.Client.KV.Namespaces.Keys.ListAutoPaging(ctx, env.MainNS, env.listParams("berthidx:")) // EXPECT kvlist
	for iter.Next() {
		berth, _, ok := strings.Cut(strings.TrimPrefix(iter.Current().Name, "berthidx:"), ":")
		if !ok {
			continue
		}
		calls[berth]++
		progress := fmt.Sprintf(`{"seen":%d,"berths":%d}`, iter.Index(), len(calls))
		if err := env.Store.Put(ctx, "jobs:reindex-berths:progress", []byte(progress)); err != nil { // EXPECT kvhotkey
			env.Log.Warn("progress update failed", "err", err)
		}
	}
	if err := iter.Err(); err != nil {
		return err
	}
	for berth, n := range calls {
		b, _ := json.Marshal(struct {
			Berth string `json:"berth"`
			Calls int    `json:"calls"`
		}{berth, n})
		if err := env.Store.Put(ctx, "berthsum:"+berth, b, storage.WithTTL(26*time.Hour)); err != nil {
			return err
		}
	}
	return nil
}

// auditTokens logs how many API keys each operator holds.
func auditTokens(ctx context.Context, env Env) error {
	perOperator := map[string]int{}
	page, err := env.Client.KV.Namespaces.Keys.List(ctx, env.MainNS, env.listParams("token:"))
	for pages := 0; err == nil && pages < env.MaxPages; pages++ {
		for _, k := range page.Result {
			md, _ := k.Metadata.(map[string]any)
			op, _ := md["operator"].(string)
			perOperator[op]++
		}
		cursor := page.ResultInfo.Cursors.After
		if cursor == "" {
			break
		}
		page, err = env.Client.KV.Namespaces.Keys.List(ctx, env.MainNS, kv.NamespaceKeyListParams{ // EXPECT kvlist
			AccountID: cloudflare.F(env.Account),
			Cursor:    cloudflare.F(cursor),
			Limit:     cloudflare.F(float64(env.PageSize)),
		})
	}
	for op, n := range perOperator {
		env.Log.Info("api keys", "operator", op, "count", n)
	}
	return err
}

// warmSchedules copies published port-call schedules into the cache
// namespace read by the public berth board.
func warmSchedules(ctx context.Context, env Env) error {
	params := env.listParams("schedule:")
	for range env.MaxPages {
		page, err := env.Client.KV.Namespaces.Keys.List(ctx, env.MainNS, params)
		if err != nil {
			return err
		}
		for _, k := range page.Result {
			val, err := env.read(ctx, env.MainNS, k.Name) // EXPECT kvlist
			if err != nil {
				env.Log.Warn("schedule read failed", "key", k.Name, "err", err)
				continue
			}
			_, err = env.Client.KV.Namespaces.Values.Update(ctx, env.CacheNS, k.Name, kv.NamespaceValueUpdateParams{
				AccountID:     cloudflare.F(env.Account),
				Value:         cloudflare.F(string(val)),
				ExpirationTTL: cloudflare.F(3600.0),
			})
			if err != nil {
				return err
			}
		}
		if page.ResultInfo.Cursors.After == "" {
			break
		}
		params.Cursor = cloudflare.F(page.ResultInfo.Cursors.After)
	}
	return nil
}

// spotCheck lists a handful of keys of each family, as a cheap health check
// of the namespace after deploys.
func spotCheck(ctx context.Context, env Env) error {
	var errs []error
	for _, prefix := range []string{"booking:", "berthidx:", "ctr:", "token:", "schedule:"} {
		page, err := env.Client.KV.Namespaces.Keys.List(ctx, env.MainNS, kv.NamespaceKeyListParams{
			AccountID: cloudflare.F(env.Account),
			Prefix:    cloudflare.F(prefix),
			Limit:     cloudflare.F(5.0), // EXPECT kvlimits
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", prefix, err))
			continue
		}
		env.Log.Info("spot check", "prefix", prefix, "sampled", len(page.Result))
	}
	return errors.Join(errs...)
}

// rolloverTariffs promotes the scheduled tariff sheet, if any, to current.
func rolloverTariffs(ctx context.Context, env Env) error {
	resp, err := env.Client.KV.Namespaces.Values.Get(ctx, env.MainNS, "tariffs:next", kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(env.Account),
	})
	if err != nil {
		return fmt.Errorf("read next tariffs: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK || string(body) == "null" { // EXPECT kvnull
		env.Log.Info("no tariff sheet scheduled")
		return nil
	}
	_, err = env.Client.KV.Namespaces.Values.Update(ctx, env.MainNS, "tariffs:current", kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(env.Account),
		Value:     cloudflare.F(string(body)),
	})
	if err != nil {
		return err
	}
	_, err = env.Client.KV.Namespaces.Values.Delete(ctx, env.MainNS, "tariffs:next", kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(env.Account),
	})
	return err
}

// The yard planner addresses slots as block(6 bits) | bay(8) | row(6) |
// tier(4), plus four spare bits reserved for the second terminal.
const yardSlots = 1 << 28

// yardBitmap rebuilds the occupancy bitmap used by the yard planner from the
// slot recorded in the metadata of the position keys.
func yardBitmap(ctx context.Context, env Env) error {
	keys, _, err := storage.Scan(env.Store).Prefix("pos:").Limit(1000).Collect(ctx, env.MaxPages*1000)
	if err != nil {
		return err
	}
	bitmap := make([]byte, yardSlots/8)
	for _, k := range keys {
		if slot, err := strconv.Atoi(fmt.Sprint(k.Metadata["slot"])); err == nil && slot >= 0 && slot < yardSlots {
			bitmap[slot/8] |= 1 << (slot % 8)
		}
	}
	_, err = env.Client.KV.Namespaces.Values.Update(ctx, env.MainNS, "yard:occupancy", kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(env.Account),
		Value:     cloudflare.F(string(bitmap)), // EXPECT kvlimits
	})
	return err
}
