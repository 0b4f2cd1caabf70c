package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"example.com/dunlin/internal/keys"
	"example.com/dunlin/internal/kv6"
)

// LobbySweep deletes lobbies that emptied out before their TTL ran down.
type LobbySweep struct {
	C         *cloudflare.Client
	Account   string
	Namespace string
	Keys      keys.Space
	Regions   []string
}

func (LobbySweep) Name() string { return "lobby-sweep" }

func (j LobbySweep) Run(ctx context.Context) error {
	for _, region := range j.Regions {
		page, err := j.C.KV.Namespaces.Keys.List(ctx, j.Namespace, kv.NamespaceKeyListParams{ // EXPECT kvlist
			AccountID: cloudflare.F(j.Account),
			Prefix:    cloudflare.F(j.Keys.LobbyPrefix(region)),
			Limit:     cloudflare.F(1000.0),
		})
		if err != nil {
			return fmt.Errorf("list %s lobbies: %w", region, err)
		}
		for _, k := range page.Result {
			md, _ := k.Metadata.(map[string]any)
			if n, ok := md["players"].(float64); !ok || n > 0 {
				continue
			}
			if _, err := j.C.KV.Namespaces.Values.Delete(ctx, j.Namespace, k.Name, kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(j.Account)}); err != nil && !kv6.IsNotFound(err) {
				return err
			}
		}
	}
	return nil
}

// RewardReset closes the reward day: it audits streaks for the anti-abuse
// report and bumps the reward epoch each regional shard watches.
type RewardReset struct {
	R       *kv6.Router
	Keys    keys.Space
	Regions []string
}

func (RewardReset) Name() string { return "reward-reset" }

func (j RewardReset) streakKeys(ctx context.Context) ([]string, error) {
	var names []string
	cursor := ""
	for {
		batch, next, err := j.R.Page(ctx, j.Keys.Streak(""), cursor, 1000) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, k := range batch {
			names = append(names, k.Name)
		}
		if next == "" {
			return names, nil
		}
		cursor = next
	}
}

func (j RewardReset) Run(ctx context.Context) error {
	names, err := j.streakKeys(ctx)
	if err != nil {
		return err
	}
	c := j.R.Client()
	var suspicious []string
	for chunk := range slices.Chunk(names, 250) {
		res, err := c.KV.Namespaces.BulkGet(ctx, j.R.Namespace(chunk[0]), kv.NamespaceBulkGetParams{ // EXPECT kvlimits
			AccountID: cloudflare.F(j.R.Account()),
			Keys:      cloudflare.F(chunk),
			Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeText),
		})
		if err != nil {
			return err
		}
		values := map[string]string{}
		kv6.Collect(res, values)
		for k, v := range values {
			var st struct {
				Days int `json:"days"`
			}
			if json.Unmarshal([]byte(v), &st) == nil && st.Days > 400 {
				suspicious = append(suspicious, k)
			}
		}
	}
	report, _ := json.Marshal(suspicious)
	if err := j.R.Put(ctx, j.Keys.JobState("reward-audit"), string(report), 24*time.Hour, nil); err != nil {
		return err
	}
	epoch := strconv.FormatInt(time.Now().Unix(), 10)
	for _, region := range j.Regions {
		// Tell each region's reward shard separately so one failure does not block the rest.
		value := region + "@" + epoch
		_, err := c.KV.Namespaces.Values.Update(ctx, j.R.Namespace(j.Keys.RewardEpoch()), j.Keys.RewardEpoch(), kv.NamespaceValueUpdateParams{ // EXPECT kvhotkey
			AccountID: cloudflare.F(j.R.Account()),
			Value:     cloudflare.F(value),
		})
		if err != nil {
			return fmt.Errorf("epoch for %s: %w", region, err)
		}
	}
	return nil
}
